//! The draft message to the customer: truthful and without accusing. It says that
//! automated checks were used, that a person decides, where the claim stands, and what
//! the customer can do (send the original file, a new photo, or ask for a person's
//! review). The agent edits it before sending; nothing here is sent by itself.

use crate::decision::DecisionKind;
use proofdesk_engine::Lang;

/// A ready text for the customer about claim `reference`, given its latest decision.
pub fn customer_message(lang: Lang, reference: &str, latest: Option<DecisionKind>) -> String {
    let reference = reference.trim();
    match lang {
        Lang::Nl => dutch(reference, latest),
        Lang::En => english(reference, latest),
    }
}

fn dutch(reference: &str, latest: Option<DecisionKind>) -> String {
    let about = if reference.is_empty() {
        "Bedankt voor uw melding.".to_owned()
    } else {
        format!("Bedankt voor uw melding (referentie {reference}).")
    };
    let state = match latest {
        Some(DecisionKind::Approve) => "Wij hebben uw claim goedgekeurd. U hoort van ons hoe de afhandeling verder gaat.",
        Some(DecisionKind::Reject) => "Een medewerker heeft uw claim en de foto's bekeken en kan de claim op basis van wat wij nu hebben niet goedkeuren. Dat besluit is door een mens genomen, niet door de automatische controle.",
        Some(DecisionKind::RequestEvidence) => "Met de foto's die wij nu hebben, kunnen wij uw claim nog niet goed beoordelen. Wilt u ons het originele bestand sturen of een nieuwe foto maken? Dan kijken wij er zo snel mogelijk opnieuw naar.",
        Some(DecisionKind::Escalate) | None => "Uw claim is nog in behandeling. Een medewerker bekijkt hem en neemt de beslissing; het kan zijn dat wij u daarbij om aanvullend materiaal vragen.",
    };
    let review = if latest == Some(DecisionKind::Reject) {
        "vragen om een nieuwe beoordeling door een andere medewerker, als u het niet eens bent met dit besluit."
    } else {
        "vragen om een beoordeling door een medewerker, als u vragen hebt over de uitkomst."
    };
    format!(
        "Beste klant,\n\n{about}\n\nBij het beoordelen van claims gebruiken wij automatische controles van foto's en documenten, bijvoorbeeld of een foto eerder is gebruikt of bewerkt lijkt. Zo'n controle beslist nooit zelf: een medewerker bekijkt uw claim en neemt de beslissing.\n\n{state}\n\nU kunt altijd:\n- het originele bestand sturen, zoals het uit uw camera of telefoon komt (dus niet via WhatsApp of als schermafbeelding);\n- een nieuwe foto maken van het product of de schade;\n- {review}\n\nMet vriendelijke groet,\n"
    )
}

fn english(reference: &str, latest: Option<DecisionKind>) -> String {
    let about = if reference.is_empty() {
        "Thank you for your claim.".to_owned()
    } else {
        format!("Thank you for your claim (reference {reference}).")
    };
    let state = match latest {
        Some(DecisionKind::Approve) => "We have approved your claim. We will let you know how it will be settled.",
        Some(DecisionKind::Reject) => "A member of our team has looked at your claim and the photos and cannot approve it on the information we have now. This decision was taken by a person, not by the automated checks.",
        Some(DecisionKind::RequestEvidence) => "With the photos we have now, we cannot assess your claim properly yet. Could you send us the original file, or take a new photo? We will then look at it again as soon as we can.",
        Some(DecisionKind::Escalate) | None => "Your claim is still being handled. A member of our team is looking at it and will take the decision; we may ask you for more material.",
    };
    let review = if latest == Some(DecisionKind::Reject) {
        "ask for a new review by another member of our team, if you disagree with this decision."
    } else {
        "ask for a review by a member of our team, if you have questions about the outcome."
    };
    format!(
        "Dear customer,\n\n{about}\n\nWhen we assess claims we use automated checks of photos and documents, for example whether a photo was used before or looks edited. These checks never decide on their own: a person looks at your claim and takes the decision.\n\n{state}\n\nYou can always:\n- send the original file, as it came from your camera or phone (not through WhatsApp or as a screenshot);\n- take a new photo of the product or the damage;\n- {review}\n\nKind regards,\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_draft_says_checks_are_automated_a_person_decides_and_what_to_do() {
        let states = [
            None,
            Some(DecisionKind::Approve),
            Some(DecisionKind::Reject),
            Some(DecisionKind::RequestEvidence),
            Some(DecisionKind::Escalate),
        ];
        for latest in states {
            let nl = customer_message(Lang::Nl, "ORD-1", latest);
            assert!(nl.contains("automatische controles") && nl.contains("medewerker"), "{nl}");
            assert!(nl.contains("originele bestand") && nl.contains("nieuwe foto") && nl.contains("ORD-1"));
            let en = customer_message(Lang::En, "ORD-1", latest);
            assert!(en.contains("automated checks") && en.contains("a person"), "{en}");
            assert!(en.contains("original file") && en.contains("new photo") && en.contains("review"));
            // Never an accusation, in either language.
            for word in ["fraud", "fake", "nep", "vervals", "AI-generated", "gegenereerd", "escalat"] {
                assert!(!nl.to_lowercase().contains(&word.to_lowercase()), "{word} in {nl}");
                assert!(!en.to_lowercase().contains(&word.to_lowercase()), "{word} in {en}");
            }
        }
    }

    #[test]
    fn a_rejection_offers_another_persons_review() {
        let en = customer_message(Lang::En, "", Some(DecisionKind::Reject));
        assert!(en.contains("taken by a person") && en.contains("another member"));
        let nl = customer_message(Lang::Nl, "", Some(DecisionKind::Reject));
        assert!(nl.contains("door een mens genomen") && nl.contains("andere medewerker"));
    }
}

//! The draft message to the customer: truthful and without accusing. It says that
//! automated checks were used, that a person decides, where the claim stands, and what
//! the customer can do (send the original file, a new photo, or ask for a person's
//! review). The agent edits it before sending; nothing here is sent by itself.

use crate::decision::DecisionKind;
use crate::transparency::{text, MESSAGE_CHECKS, MESSAGE_PERSON_DECIDED, MESSAGE_RIGHTS};
use proofdesk_engine::Lang;

/// A ready text for the customer about claim `reference`, given its latest decision.
/// The sentences about automated checks and the customer's rights are the versioned
/// notices of [`crate::transparency`].
pub fn customer_message(lang: Lang, reference: &str, latest: Option<DecisionKind>) -> String {
    let reference = reference.trim();
    let nl = lang == Lang::Nl;
    let about = match (nl, reference.is_empty()) {
        (true, true) => "Bedankt voor uw melding.".to_owned(),
        (true, false) => format!("Bedankt voor uw melding (referentie {reference})."),
        (false, true) => "Thank you for your claim.".to_owned(),
        (false, false) => format!("Thank you for your claim (reference {reference})."),
    };
    let state = match (nl, latest) {
        (true, Some(DecisionKind::Approve)) => "Wij hebben uw claim goedgekeurd. U hoort van ons hoe de afhandeling verder gaat.".to_owned(),
        (true, Some(DecisionKind::Reject)) => format!(
            "Een medewerker heeft uw claim en de foto's bekeken en kan de claim op basis van wat wij nu hebben niet goedkeuren. {}",
            text(MESSAGE_PERSON_DECIDED, lang)
        ),
        (true, Some(DecisionKind::RequestEvidence)) => "Met de foto's die wij nu hebben, kunnen wij uw claim nog niet goed beoordelen. Wilt u ons het originele bestand sturen of een nieuwe foto maken? Dan kijken wij er zo snel mogelijk opnieuw naar.".to_owned(),
        (true, Some(DecisionKind::Escalate) | None) => "Uw claim is nog in behandeling. Een medewerker bekijkt hem en neemt de beslissing; het kan zijn dat wij u daarbij om aanvullend materiaal vragen.".to_owned(),
        (false, Some(DecisionKind::Approve)) => "We have approved your claim. We will let you know how it will be settled.".to_owned(),
        (false, Some(DecisionKind::Reject)) => format!(
            "A member of our team has looked at your claim and the photos and cannot approve it on the information we have now. {}",
            text(MESSAGE_PERSON_DECIDED, lang)
        ),
        (false, Some(DecisionKind::RequestEvidence)) => "With the photos we have now, we cannot assess your claim properly yet. Could you send us the original file, or take a new photo? We will then look at it again as soon as we can.".to_owned(),
        (false, Some(DecisionKind::Escalate) | None) => "Your claim is still being handled. A member of our team is looking at it and will take the decision; we may ask you for more material.".to_owned(),
    };
    let (greeting, closing) = if nl { ("Beste klant,", "Met vriendelijke groet,") } else { ("Dear customer,", "Kind regards,") };
    format!(
        "{greeting}\n\n{about}\n\n{}\n\n{state}\n\n{}\n\n{closing}\n",
        text(MESSAGE_CHECKS, lang),
        text(MESSAGE_RIGHTS, lang)
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

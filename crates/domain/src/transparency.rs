//! Every notice that tells customers about the automated checks, listed in one place
//! and versioned. The evidence portal and the message drafts take their wording from
//! here, and the AI Act documentation lists it, so what a customer reads and what the
//! documentation says cannot drift apart. Changing a text means raising its version;
//! a test holds each version's fingerprint, so a silent edit fails the build.

use proofdesk_engine::Lang;
use serde::Serialize;

/// One customer-facing notice.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// Stable id.
    pub id: &'static str,
    /// Raised with every change of the text.
    pub version: u32,
    /// The date this version took effect (`YYYY-MM-DD`).
    pub since: &'static str,
    /// Where customers see it (English, Dutch).
    pub shown: (&'static str, &'static str),
    /// The text in English; `{days}` stands for the retention period.
    pub en: &'static str,
    /// The text in Dutch.
    pub nl: &'static str,
}

impl Notice {
    /// The text in a language, with `{days}` filled in when given.
    pub fn text(&self, lang: Lang, days: Option<u32>) -> String {
        let t = match lang {
            Lang::En => self.en,
            Lang::Nl => self.nl,
        };
        match days {
            Some(d) => t.replace("{days}", &d.to_string()),
            None => t.to_owned(),
        }
    }
}

/// The evidence portal's note on automated checks.
pub const PORTAL_CHECKS: &str = "portal.automated-checks";
/// The evidence portal's note on what happens to the files.
pub const PORTAL_FILES: &str = "portal.files";
/// The evidence portal's opening: asking is not a decision.
pub const PORTAL_NOT_A_DECISION: &str = "portal.not-a-decision";
/// The message drafts' paragraph on automated checks.
pub const MESSAGE_CHECKS: &str = "message.automated-checks";
/// The message drafts' sentence after a rejection: a person decided.
pub const MESSAGE_PERSON_DECIDED: &str = "message.person-decided";
/// The message drafts' list of what the customer can always do.
pub const MESSAGE_RIGHTS: &str = "message.rights";

/// All notices.
pub const NOTICES: [Notice; 6] = [
    Notice {
        id: PORTAL_CHECKS,
        version: 1,
        since: "2026-11-20",
        shown: ("evidence portal, every page", "bewijsportaal, elke pagina"),
        en: "Automated checks help our team look at photos and documents. They never decide on their own: a person takes the decision about your claim.",
        nl: "Automatische controles helpen ons team bij het bekijken van foto's en documenten. Ze beslissen nooit zelf: een mens neemt de beslissing over uw claim.",
    },
    Notice {
        id: PORTAL_FILES,
        version: 1,
        since: "2026-11-20",
        shown: ("evidence portal, every page", "bewijsportaal, elke pagina"),
        en: "What happens to your files: they are stored encrypted with your claim, seen only by the people handling it, and deleted {days} days after your claim is closed.",
        nl: "Wat er met uw bestanden gebeurt: ze worden versleuteld bij uw claim bewaard, alleen bekeken door wie uw claim behandelt, en verwijderd {days} dagen nadat uw claim is afgesloten.",
    },
    Notice {
        id: PORTAL_NOT_A_DECISION,
        version: 1,
        since: "2026-11-20",
        shown: ("evidence portal, the request page", "bewijsportaal, de pagina met het verzoek"),
        en: "To handle your claim quickly and fairly, we would like a little more from you. This is a normal step and not a decision; it takes about two minutes.",
        nl: "Om uw claim snel en zorgvuldig af te handelen, vragen we u om iets meer. Dit is een gewone stap en geen beslissing; het kost ongeveer twee minuten.",
    },
    Notice {
        id: MESSAGE_CHECKS,
        version: 1,
        since: "2026-11-01",
        shown: ("every message draft to a customer", "elk conceptbericht aan een klant"),
        en: "When we assess claims we use automated checks of photos and documents, for example whether a photo was used before or looks edited. These checks never decide on their own: a person looks at your claim and takes the decision.",
        nl: "Bij het beoordelen van claims gebruiken wij automatische controles van foto's en documenten, bijvoorbeeld of een foto eerder is gebruikt of bewerkt lijkt. Zo'n controle beslist nooit zelf: een medewerker bekijkt uw claim en neemt de beslissing.",
    },
    Notice {
        id: MESSAGE_PERSON_DECIDED,
        version: 1,
        since: "2026-11-01",
        shown: ("message draft after a rejection", "conceptbericht na een afwijzing"),
        en: "This decision was taken by a person, not by the automated checks. If you disagree, you can ask for a new review by another member of our team.",
        nl: "Dat besluit is door een mens genomen, niet door de automatische controle. Bent u het er niet mee eens, dan kunt u vragen om een nieuwe beoordeling door een andere medewerker.",
    },
    Notice {
        id: MESSAGE_RIGHTS,
        version: 1,
        since: "2026-11-01",
        shown: ("every message draft to a customer", "elk conceptbericht aan een klant"),
        en: "You can always:\n- send the original file, as it came from your camera or phone (not through WhatsApp or as a screenshot);\n- take a new photo of the product or the damage;\n- ask for a review by a member of our team.",
        nl: "U kunt altijd:\n- het originele bestand sturen, zoals het uit uw camera of telefoon komt (dus niet via WhatsApp of als schermafbeelding);\n- een nieuwe foto maken van het product of de schade;\n- vragen om een beoordeling door een medewerker.",
    },
];

/// The notice with an id (every id constant of this module has one).
pub fn notice(id: &str) -> &'static Notice {
    NOTICES.iter().find(|n| n.id == id).unwrap_or(&NOTICES[0])
}

/// A notice's text by id.
pub fn text(id: &str, lang: Lang) -> String {
    notice(id).text(lang, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a over both texts: a fingerprint to notice edits.
    fn fingerprint(n: &Notice) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in n.en.bytes().chain([0]).chain(n.nl.bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h
    }

    /// The fingerprint of each notice's current version. A text change must raise
    /// the version and update this line (and so shows in review and in the change
    /// history of the AI Act documentation).
    const RECORDED: [(&str, u32, u64); 6] = [
        (PORTAL_CHECKS, 1, 0x6a065ca851257bc7),
        (PORTAL_FILES, 1, 0x27e206d0265ee678),
        (PORTAL_NOT_A_DECISION, 1, 0xbde06378a34ec274),
        (MESSAGE_CHECKS, 1, 0x93d03f184b73e153),
        (MESSAGE_PERSON_DECIDED, 1, 0xac4892ff57a9ab23),
        (MESSAGE_RIGHTS, 1, 0xc6695c2732539175),
    ];

    #[test]
    fn a_changed_text_has_a_new_version() {
        for n in &NOTICES {
            let (_, version, print) = RECORDED.iter().find(|r| r.0 == n.id).copied().unwrap_or(("", 0, 0));
            assert_eq!(
                (n.version, fingerprint(n)),
                (version, print),
                "notice {} changed: raise its version and record the new fingerprint",
                n.id
            );
        }
    }

    #[test]
    fn ids_are_unique_and_both_languages_present() {
        for (i, n) in NOTICES.iter().enumerate() {
            assert!(NOTICES[..i].iter().all(|m| m.id != n.id), "{}", n.id);
            assert_eq!(n.en.contains("{days}"), n.nl.contains("{days}"), "{}", n.id);
            assert!(!n.en.is_empty() && !n.nl.is_empty());
        }
        assert!(notice(PORTAL_FILES).text(Lang::Nl, Some(90)).contains("verwijderd 90 dagen"));
    }
}

//! The register of AI systems and their EU AI Act risk class. A class is never typed
//! in: it follows from a short questionnaire in the Act's own order — is it an AI
//! system at all (Art. 3(1)); a prohibited practice (Art. 5); an Annex III high-risk
//! area, and if so does the Art. 6(3) exception apply; transparency duties (Art. 50);
//! otherwise minimal risk — and the reasoning is kept with it. proofdesk's own
//! components come pre-filled with answers a compliance officer reviews.
//!
//! This is an aid to a documented assessment, not legal advice; the reasoning says
//! which article each answer leans on so a lawyer can check it.

use proofdesk_engine::signal::Text;
use serde::Serialize;
use std::collections::BTreeSet;

/// The risk classes of the Act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskClass {
    /// A prohibited practice (Art. 5): may not be used.
    Prohibited,
    /// High-risk (Art. 6, Annex III): the duties of Chapter III apply.
    HighRisk,
    /// Transparency duties (Art. 50): people must be told.
    Transparency,
    /// Minimal risk: no specific duties (voluntary codes, AI literacy).
    Minimal,
}

impl RiskClass {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskClass::Prohibited => "prohibited",
            RiskClass::HighRisk => "high-risk",
            RiskClass::Transparency => "transparency",
            RiskClass::Minimal => "minimal",
        }
    }

    /// The class a stored name stands for.
    pub fn parse(name: &str) -> Option<RiskClass> {
        [RiskClass::Prohibited, RiskClass::HighRisk, RiskClass::Transparency, RiskClass::Minimal]
            .into_iter()
            .find(|c| c.as_str() == name)
    }

    /// The class's name for a person.
    pub fn title(self) -> Text {
        match self {
            RiskClass::Prohibited => Text::new("prohibited practice", "verboden praktijk"),
            RiskClass::HighRisk => Text::new("high risk", "hoog risico"),
            RiskClass::Transparency => Text::new("transparency duties", "transparantieverplichtingen"),
            RiskClass::Minimal => Text::new("minimal risk", "minimaal risico"),
        }
    }
}

/// Which part of the questionnaire a question belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    /// Is it an AI system (Art. 3(1))?
    Definition,
    /// Prohibited practices (Art. 5).
    Prohibited,
    /// High-risk areas (Annex III).
    HighRisk,
    /// The exception for narrow tasks (Art. 6(3)).
    Exception,
    /// Transparency duties (Art. 50).
    Transparency,
}

/// One question: answered yes when its id is in the answers.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// Stable id, stored in the answers.
    pub id: &'static str,
    /// Its part.
    pub part: Part,
    /// The article it follows.
    pub article: &'static str,
    /// The question (English, Dutch).
    pub en: &'static str,
    /// Dutch.
    pub nl: &'static str,
}

impl Question {
    /// The article as Dutch texts cite it (`art. 5, lid 1`-style words: `art.`, `bijlage`).
    pub fn article_nl(&self) -> String {
        self.article.replace("Art.", "art.").replace("Annex", "bijlage").replace("last subparagraph", "laatste alinea")
    }
}

const fn q(id: &'static str, part: Part, article: &'static str, en: &'static str, nl: &'static str) -> Question {
    Question { id, part, article, en, nl }
}

/// The questionnaire, in the Act's order.
pub const QUESTIONS: [Question; 20] = [
    q("infers", Part::Definition, "Art. 3(1)",
      "Does it infer from its input how to produce outputs (a learned model, or logic that reasons from encoded knowledge), rather than only carry out rules people wrote?",
      "Leidt het systeem uit de invoer af hoe het uitvoer maakt (een aangeleerd model, of logica die redeneert vanuit vastgelegde kennis), in plaats van alleen door mensen geschreven regels uit te voeren?"),
    q("prohibited.manipulation", Part::Prohibited, "Art. 5(1)(a)",
      "Does it use subliminal, manipulative or deceptive techniques that distort people's behaviour and cause them significant harm?",
      "Gebruikt het subliminale, manipulatieve of misleidende technieken die het gedrag van mensen verstoren en hun aanzienlijke schade doen?"),
    q("prohibited.vulnerabilities", Part::Prohibited, "Art. 5(1)(b)",
      "Does it exploit vulnerabilities of age, disability or social or economic situation to distort behaviour harmfully?",
      "Maakt het misbruik van kwetsbaarheden door leeftijd, handicap of sociale of economische situatie om gedrag schadelijk te verstoren?"),
    q("prohibited.social-scoring", Part::Prohibited, "Art. 5(1)(c)",
      "Does it score people on their social behaviour or personal traits, leading to unjustified or unrelated detrimental treatment?",
      "Geeft het mensen een score op sociaal gedrag of persoonlijke kenmerken die leidt tot ongerechtvaardigde of ongerelateerde nadelige behandeling?"),
    q("prohibited.crime-prediction", Part::Prohibited, "Art. 5(1)(d)",
      "Does it predict whether a person will commit a crime based solely on profiling or personality traits?",
      "Voorspelt het of iemand een strafbaar feit zal plegen, uitsluitend op basis van profilering of persoonlijkheidskenmerken?"),
    q("prohibited.face-scraping", Part::Prohibited, "Art. 5(1)(e)",
      "Does it build facial recognition databases by untargeted scraping of images from the internet or CCTV?",
      "Bouwt het databanken voor gezichtsherkenning door ongericht afbeeldingen van internet of camerabeelden te verzamelen?"),
    q("prohibited.emotion-at-work", Part::Prohibited, "Art. 5(1)(f)",
      "Does it recognise emotions of employees or students (other than for medical or safety reasons)?",
      "Herkent het emoties van werknemers of studenten (anders dan om medische of veiligheidsredenen)?"),
    q("prohibited.biometric-categorisation", Part::Prohibited, "Art. 5(1)(g)",
      "Does it sort people by biometric data to infer race, political opinions, union membership, religion, sex life or orientation?",
      "Deelt het mensen op basis van biometrische gegevens in om ras, politieke opvattingen, vakbondslidmaatschap, religie, seksleven of geaardheid af te leiden?"),
    q("prohibited.remote-biometric-id", Part::Prohibited, "Art. 5(1)(h)",
      "Does it identify people remotely in real time by biometrics in publicly accessible spaces for law enforcement?",
      "Identificeert het mensen op afstand en in real time met biometrie in openbare ruimten voor rechtshandhaving?"),
    q("high.biometrics", Part::HighRisk, "Annex III(1)",
      "Is it used for remote biometric identification, biometric categorisation or emotion recognition?",
      "Wordt het gebruikt voor biometrische identificatie op afstand, biometrische categorisering of emotieherkenning?"),
    q("high.infrastructure", Part::HighRisk, "Annex III(2)",
      "Is it a safety component of critical infrastructure (traffic, water, gas, heating, electricity, digital infrastructure)?",
      "Is het een veiligheidscomponent van kritieke infrastructuur (verkeer, water, gas, verwarming, elektriciteit, digitale infrastructuur)?"),
    q("high.education", Part::HighRisk, "Annex III(3)",
      "Does it decide on admission to education, assess learning outcomes or monitor students during tests?",
      "Beslist het over toelating tot onderwijs, beoordeelt het leerresultaten of houdt het toezicht op studenten tijdens toetsen?"),
    q("high.employment", Part::HighRisk, "Annex III(4)",
      "Is it used to recruit people, decide on promotion or dismissal, allocate tasks by behaviour or traits, or monitor and evaluate employees' performance and behaviour?",
      "Wordt het gebruikt om mensen te werven, te beslissen over promotie of ontslag, taken toe te wijzen op gedrag of kenmerken, of prestaties en gedrag van werknemers te volgen en te beoordelen?"),
    q("high.essential-services", Part::HighRisk, "Annex III(5)",
      "Does it decide on public benefits, assess creditworthiness (not to detect financial fraud), price or assess risk for life or health insurance, or prioritise emergency calls?",
      "Beslist het over publieke uitkeringen, beoordeelt het kredietwaardigheid (niet om financiële fraude op te sporen), bepaalt het premie of risico voor levens- of ziektekostenverzekering, of geeft het prioriteit aan noodoproepen?"),
    q("high.public-authority", Part::HighRisk, "Annex III(6)–(8)",
      "Is it used by or for law enforcement, migration and border control, courts, or to influence elections?",
      "Wordt het gebruikt door of voor politie en justitie, migratie en grenstoezicht, rechtspraak, of om verkiezingen te beïnvloeden?"),
    q("exception.narrow-task", Part::Exception, "Art. 6(3)",
      "Does it only perform a narrow procedural or preparatory task, or detect patterns for a person to assess, without replacing or influencing a person's assessment without proper human review?",
      "Voert het alleen een beperkte procedurele of voorbereidende taak uit, of signaleert het patronen die een mens beoordeelt, zonder de beoordeling door een mens te vervangen of zonder goede menselijke controle te beïnvloeden?"),
    q("exception.profiling", Part::Exception, "Art. 6(3), last subparagraph",
      "Does it profile natural persons (evaluate their work performance, economic situation, behaviour, reliability, …)?",
      "Profileert het natuurlijke personen (beoordeelt het hun werkprestaties, economische situatie, gedrag, betrouwbaarheid, …)?"),
    q("transparency.interacts", Part::Transparency, "Art. 50(1)",
      "Does it interact directly with people (a chatbot, a voice assistant)?",
      "Heeft het rechtstreeks contact met mensen (een chatbot, een spraakassistent)?"),
    q("transparency.generates", Part::Transparency, "Art. 50(2)",
      "Does it generate or alter images, audio, video or text?",
      "Maakt of bewerkt het afbeeldingen, geluid, video of tekst?"),
    q("transparency.deepfake", Part::Transparency, "Art. 50(3)–(4)",
      "Does it recognise emotions or categorise people biometrically, make deep fakes, or publish generated text on matters of public interest?",
      "Herkent het emoties of deelt het mensen biometrisch in, maakt het deepfakes, of publiceert het gegenereerde tekst over zaken van algemeen belang?"),
];

/// The outcome of the questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// The risk class.
    pub class: RiskClass,
    /// Whether it is an AI system in the Act's sense (rules people wrote are not).
    pub ai_system: bool,
    /// Why, step by step, with the article each step leans on.
    pub reasoning: Vec<Text>,
    /// What the organisation must do.
    pub duties: Vec<Text>,
}

/// Answers that are not questions of the questionnaire.
pub fn unknown_answers(answers: &BTreeSet<String>) -> Vec<String> {
    answers.iter().filter(|a| !QUESTIONS.iter().any(|q| q.id == a.as_str())).cloned().collect()
}

fn yes(answers: &BTreeSet<String>, part: Part) -> Vec<&'static Question> {
    QUESTIONS.iter().filter(|q| q.part == part && answers.contains(q.id)).collect()
}

/// Classifies a system from its answers (the ids answered yes).
pub fn classify(answers: &BTreeSet<String>) -> Classification {
    let mut reasoning = Vec::new();
    let mut duties = Vec::new();
    let ai_system = answers.contains("infers");
    if ai_system {
        reasoning.push(Text::new(
            "It infers from its input how to produce outputs, so it is an AI system (Art. 3(1)).",
            "Het leidt uit de invoer af hoe het uitvoer maakt, dus het is een AI-systeem (art. 3, lid 1).",
        ));
    } else {
        reasoning.push(Text::new(
            "It only carries out rules people wrote, so it is probably not an AI system in the Act's sense (Art. 3(1), recital 12); it is listed for completeness and classified as if it were one.",
            "Het voert alleen door mensen geschreven regels uit en is daarom waarschijnlijk geen AI-systeem in de zin van de verordening (art. 3, lid 1, overweging 12); het staat in het register voor de volledigheid en is ingedeeld alsof het er een is.",
        ));
    }
    let prohibited = yes(answers, Part::Prohibited);
    if !prohibited.is_empty() {
        for q in &prohibited {
            reasoning.push(Text::new(
                format!("Prohibited practice ({}): {}", q.article, q.en),
                format!("Verboden praktijk ({}): {}", q.article_nl(), q.nl),
            ));
        }
        duties.push(Text::new(
            "Stop using it: prohibited practices are banned since 2 February 2025 (Art. 5, Art. 113(a)).",
            "Stop het gebruik: verboden praktijken zijn verboden sinds 2 februari 2025 (art. 5, art. 113, onder a).",
        ));
        return Classification { class: RiskClass::Prohibited, ai_system, reasoning, duties };
    }
    let areas = yes(answers, Part::HighRisk);
    let narrow = answers.contains("exception.narrow-task");
    let profiling = answers.contains("exception.profiling");
    let mut class = RiskClass::Minimal;
    if areas.is_empty() {
        reasoning.push(Text::new(
            "It is used in none of the high-risk areas of Annex III.",
            "Het wordt in geen van de gebieden met hoog risico van bijlage III gebruikt.",
        ));
    } else {
        for q in &areas {
            reasoning.push(Text::new(
                format!("High-risk area {}: {}", q.article, q.en),
                format!("Gebied met hoog risico {}: {}", q.article_nl(), q.nl),
            ));
        }
        if profiling {
            reasoning.push(Text::new(
                "It profiles natural persons, so the exception for narrow tasks cannot apply (Art. 6(3), last subparagraph).",
                "Het profileert natuurlijke personen, dus de uitzondering voor beperkte taken geldt niet (art. 6, lid 3, laatste alinea).",
            ));
        }
        if narrow && !profiling {
            reasoning.push(Text::new(
                "It only performs a narrow or preparatory task, or detects patterns for a person to assess, so it is not high-risk (Art. 6(3)); this assessment must be documented before use (Art. 6(4)).",
                "Het voert alleen een beperkte of voorbereidende taak uit, of signaleert patronen die een mens beoordeelt, dus het heeft geen hoog risico (art. 6, lid 3); die beoordeling moet vóór gebruik zijn vastgelegd (art. 6, lid 4).",
            ));
            duties.push(Text::new(
                "Keep this assessment with the system's documentation (Art. 6(4)).",
                "Bewaar deze beoordeling bij de documentatie van het systeem (art. 6, lid 4).",
            ));
        } else if ai_system {
            class = RiskClass::HighRisk;
            duties.push(Text::new(
                "As deployer: use it according to the provider's instructions, assign trained people to oversee it, keep its logs at least six months, monitor it, inform the people affected and the workers concerned, and report serious incidents (Art. 26); a fundamental-rights impact assessment for public bodies and for credit and insurance uses (Art. 27).",
                "Als gebruiksverantwoordelijke: gebruik het volgens de instructies van de aanbieder, wijs opgeleide mensen aan voor het menselijk toezicht, bewaar de logs minstens zes maanden, monitor het, informeer de betrokkenen en de betrokken werknemers, en meld ernstige incidenten (art. 26); een effectbeoordeling op grondrechten voor overheden en voor krediet- en verzekeringstoepassingen (art. 27).",
            ));
        } else {
            reasoning.push(Text::new(
                "Were it an AI system it would be high-risk; as rules people wrote it is not, but any change to a learned model must be assessed again.",
                "Als het een AI-systeem was, had het een hoog risico; als door mensen geschreven regels is het dat niet, maar een overstap naar een aangeleerd model moet opnieuw worden beoordeeld.",
            ));
        }
    }
    let transparency = yes(answers, Part::Transparency);
    for q in &transparency {
        reasoning.push(Text::new(
            format!("Transparency duty ({}): {}", q.article, q.en),
            format!("Transparantieverplichting ({}): {}", q.article_nl(), q.nl),
        ));
    }
    if !transparency.is_empty() {
        duties.push(Text::new(
            "Tell people, at the latest at their first contact, that they deal with an AI system or AI-made content, clearly and accessibly (Art. 50).",
            "Vertel mensen uiterlijk bij het eerste contact dat ze met een AI-systeem of met door AI gemaakte inhoud te maken hebben, duidelijk en toegankelijk (art. 50).",
        ));
        if class == RiskClass::Minimal {
            class = RiskClass::Transparency;
        }
    }
    if class == RiskClass::Minimal {
        reasoning.push(Text::new(
            "No prohibited practice, no high-risk use and no transparency duty: minimal risk.",
            "Geen verboden praktijk, geen gebruik met hoog risico en geen transparantieverplichting: minimaal risico.",
        ));
        duties.push(Text::new(
            "No specific duties; the people who use it must have sufficient AI literacy (Art. 4).",
            "Geen specifieke verplichtingen; wie het gebruikt moet voldoende AI-geletterdheid hebben (art. 4).",
        ));
    }
    Classification { class, ai_system, reasoning, duties }
}

/// A system in the register as proofdesk proposes it.
#[derive(Debug, Clone, Serialize)]
pub struct Builtin {
    /// Stable id.
    pub id: &'static str,
    /// Name (English, Dutch).
    pub name: (&'static str, &'static str),
    /// What it is for.
    pub purpose: (&'static str, &'static str),
    /// Who uses its outputs.
    pub users: (&'static str, &'static str),
    /// What data it uses.
    pub data: (&'static str, &'static str),
    /// The questions proofdesk proposes to answer yes.
    pub answers: &'static [&'static str],
}

/// proofdesk's own components, pre-filled in every register.
pub const BUILTINS: [Builtin; 5] = [
    Builtin {
        id: "proofdesk-metadata-rules",
        name: ("proofdesk metadata and provenance rules", "proofdesk-regels voor metadata en herkomst"),
        purpose: (
            "Reads what a file says about itself (EXIF, XMP, IPTC, Content Credentials, invisible watermarks, JPEG structure) and turns it into signals with a plain reason.",
            "Leest wat een bestand over zichzelf zegt (EXIF, XMP, IPTC, Content Credentials, onzichtbare watermerken, JPEG-structuur) en maakt er signalen van met een begrijpelijke reden.",
        ),
        users: ("agents and the fraud team, through the claim page", "medewerkers en het fraudeteam, via de claimpagina"),
        data: ("the evidence files customers send", "de bewijsbestanden die klanten sturen"),
        answers: &["exception.narrow-task"],
    },
    Builtin {
        id: "proofdesk-pixel-detector",
        name: ("proofdesk pixel-level AI detector", "proofdesk AI-detector op pixelniveau"),
        purpose: (
            "Estimates from the pixels whether a picture was generated by AI; a weak signal that never decides alone.",
            "Schat op basis van de pixels of een afbeelding door AI is gemaakt; een zwak signaal dat nooit alleen beslist.",
        ),
        users: ("agents and the fraud team, through the claim page", "medewerkers en het fraudeteam, via de claimpagina"),
        data: ("the pixels of evidence images; trained on labelled camera and generated images", "de pixels van bewijsafbeeldingen; getraind op gelabelde camera- en gegenereerde afbeeldingen"),
        answers: &["infers", "exception.narrow-task"],
    },
    Builtin {
        id: "proofdesk-pixel-forensics",
        name: ("proofdesk pixel forensics", "proofdesk pixelforensisch onderzoek"),
        purpose: (
            "Points at regions that may have been edited (error level, noise, JPEG history, copy-move) and draws heatmaps for a person to judge.",
            "Wijst gebieden aan die bewerkt kunnen zijn (foutniveau, ruis, JPEG-geschiedenis, kopiëren en plakken) en tekent heatmaps die een mens beoordeelt.",
        ),
        users: ("the fraud team", "het fraudeteam"),
        data: ("the pixels of evidence images", "de pixels van bewijsafbeeldingen"),
        answers: &["exception.narrow-task"],
    },
    Builtin {
        id: "proofdesk-routing",
        name: ("proofdesk routing policy", "proofdesk-routeringsbeleid"),
        purpose: (
            "Adds up the signals' points to route a claim to clear, review or escalate; a person always decides and a machine never rejects.",
            "Telt de punten van de signalen op om een claim naar afhandelen, beoordelen of doorzetten te sturen; een mens beslist altijd en een machine wijst nooit af.",
        ),
        users: ("agents, the fraud team and supervisors", "medewerkers, het fraudeteam en teamleiders"),
        data: ("the signals of the evidence and the claim's dates, amounts and delivery country; never the customer's group", "de signalen van het bewijs en de data, bedragen en het afleverland van de claim; nooit de groep van de klant"),
        answers: &["exception.narrow-task"],
    },
    Builtin {
        id: "proofdesk-insider-rules",
        name: ("proofdesk insider-pattern rules", "proofdesk-regels voor fraude van binnenuit"),
        purpose: (
            "Flags patterns in employees' decisions (near their limit, split payouts, unassigned claims) for a supervisor's conversation, never a sanction.",
            "Signaleert patronen in beslissingen van medewerkers (vlak onder hun limiet, gesplitste uitbetalingen, niet-toegewezen claims) voor een gesprek met de teamleider, nooit een sanctie.",
        ),
        users: ("supervisors", "teamleiders"),
        data: ("the decisions employees record", "de beslissingen die medewerkers vastleggen"),
        answers: &["high.employment", "exception.profiling"],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_act_is_followed_in_order() {
        assert_eq!(classify(&answers(&[])).class, RiskClass::Minimal);
        let chatbot = classify(&answers(&["infers", "transparency.interacts"]));
        assert_eq!(chatbot.class, RiskClass::Transparency);
        assert!(chatbot.duties.iter().any(|d| d.en.contains("Art. 50")));
        let hiring = classify(&answers(&["infers", "high.employment", "transparency.interacts"]));
        assert_eq!(hiring.class, RiskClass::HighRisk, "high risk wins over transparency");
        assert!(hiring.duties.iter().any(|d| d.en.contains("Art. 26")));
        let narrow = classify(&answers(&["infers", "high.essential-services", "exception.narrow-task"]));
        assert_eq!(narrow.class, RiskClass::Minimal);
        assert!(narrow.duties.iter().any(|d| d.en.contains("Art. 6(4)")));
        let profiling = classify(&answers(&["infers", "high.employment", "exception.narrow-task", "exception.profiling"]));
        assert_eq!(profiling.class, RiskClass::HighRisk, "profiling closes the exception");
        let banned = classify(&answers(&["infers", "prohibited.emotion-at-work", "high.employment"]));
        assert_eq!(banned.class, RiskClass::Prohibited);
        assert!(banned.reasoning.iter().any(|r| r.en.contains("Art. 5(1)(f)")));
    }

    #[test]
    fn rules_people_wrote_are_said_to_be_no_ai_system() {
        let insider = BUILTINS.iter().find(|b| b.id == "proofdesk-insider-rules").unwrap();
        let c = classify(&answers(insider.answers));
        assert!(!c.ai_system);
        assert_eq!(c.class, RiskClass::Minimal);
        assert!(c.reasoning.iter().any(|r| r.en.contains("assessed again")), "{:?}", c.reasoning);
        let detector = BUILTINS.iter().find(|b| b.id == "proofdesk-pixel-detector").unwrap();
        assert!(classify(&answers(detector.answers)).ai_system);
    }

    #[test]
    fn questions_and_builtins_are_consistent() {
        let mut ids = BTreeSet::new();
        for q in &QUESTIONS {
            assert!(ids.insert(q.id), "duplicate {}", q.id);
            assert!(!q.en.is_empty() && !q.nl.is_empty());
        }
        for b in &BUILTINS {
            assert!(unknown_answers(&answers(b.answers)).is_empty(), "{}", b.id);
        }
        assert_eq!(unknown_answers(&answers(&["infers", "vibes"])), vec!["vibes".to_string()]);
        for c in ["prohibited", "high-risk", "transparency", "minimal"] {
            assert_eq!(RiskClass::parse(c).map(RiskClass::as_str), Some(c));
        }
    }
}

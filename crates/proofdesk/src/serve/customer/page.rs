//! The customer's pages: the request itself, the thank-you page and the friendly
//! refusals. Mobile first, Dutch or English, nothing from elsewhere, and nothing of
//! the claim beyond what is asked.

use super::super::web::Say;
use super::Settings;
use maud::{html, Markup, DOCTYPE};
use proofdesk_domain::evidence_request::Ask;
use proofdesk_domain::transparency::{notice, PORTAL_CHECKS, PORTAL_FILES, PORTAL_NOT_A_DECISION};
use proofdesk_engine::Lang;

/// The page shell.
pub fn shell(lang: Lang, title: &str, other_lang_href: Option<&str>, body: Markup) -> Markup {
    let code = if lang == Lang::En { "en" } else { "nl" };
    html! {
        (DOCTYPE)
        html lang=(code) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { (title) }
                link rel="stylesheet" href="/assets/customer.css";
            }
            body {
                main {
                    @if let Some(href) = other_lang_href {
                        p.lang { a href=(href) lang=(if lang == Lang::En { "nl" } else { "en" }) { (lang.say("Nederlands", "English")) } }
                    }
                    (body)
                }
            }
        }
    }
}

/// How to reach a person, and what happens to the photos.
fn footer(lang: Lang, s: &Settings) -> Markup {
    html! {
        section.about aria-labelledby="about-h" {
            h2 #about-h { (lang.say("Good to know", "Goed om te weten")) }
            p { (notice(PORTAL_CHECKS).text(lang, None)) }
            p { (lang.say("Would you rather talk to a person?", "Praat u liever met een mens?")) " " (s.contact(lang)) }
            p { (notice(PORTAL_FILES).text(lang, Some(s.retention_days))) }
        }
    }
}

/// What the page asks, with the form.
pub struct RequestPage<'a> {
    /// What is asked.
    pub asks: &'a [Ask],
    /// The code to photograph, for a new photo.
    pub code: Option<&'a str>,
    /// The form's one-time token.
    pub nonce: &'a str,
    /// Where the form goes.
    pub action: &'a str,
    /// A problem with the last attempt, in the page's language.
    pub error: Option<&'a str>,
    /// When the link stops working, as text.
    pub expires: &'a str,
}

/// The request with its form.
pub fn request(lang: Lang, s: &Settings, p: &RequestPage<'_>) -> Markup {
    let photo = p.asks.contains(&Ask::NewPhoto);
    let files_only = p.asks.iter().any(|a| *a != Ask::NewPhoto);
    let accept = if p.asks.contains(&Ask::Receipt) { "image/*,application/pdf" } else { "image/*" };
    html! {
        h1 { (lang.say("Could you send us one more photo?", "Wilt u ons nog een foto sturen?")) }
        p.lead { (notice(PORTAL_NOT_A_DECISION).text(lang, None)) }
        @if let Some(e) = p.error { p.error role="alert" #form-error { (e) } }
        form method="post" action=(p.action) enctype="multipart/form-data" {
            input type="hidden" name="form" value=(p.nonce);
            ol.asks {
                @for ask in p.asks {
                    li {
                        p { (ask.instruction().get(lang)) }
                        @if *ask == Ask::NewPhoto {
                            @if let Some(code) = p.code {
                                p.code-label #code-label { (lang.say("Your code:", "Uw code:")) }
                                p.code aria-labelledby="code-label" { (code) }
                            }
                        }
                    }
                }
            }
            @if photo {
                div.field {
                    label for="photo" { (lang.say("Take the photo now", "Maak nu de foto")) }
                    input #photo type="file" name="evidence" accept="image/*" capture="environment";
                }
            }
            @if files_only || photo {
                div.field {
                    label for="files" {
                        @if photo && !files_only { (lang.say("Or choose a photo you just took", "Of kies een foto die u net hebt gemaakt")) }
                        @else { (lang.say("Choose the files (at most 5)", "Kies de bestanden (maximaal 5)")) }
                    }
                    input #files type="file" name="evidence" accept=(accept) multiple;
                }
            }
            button type="submit" { (lang.say("Send", "Versturen")) }
            p.hint { (lang.say("This link works once, until", "Deze link werkt één keer, tot")) " " (p.expires) "." }
        }
        (footer(lang, s))
    }
}

/// After the files arrived.
pub fn thanks(lang: Lang, s: &Settings, files: usize) -> Markup {
    html! {
        h1 { (lang.say("Thank you, we received it", "Dank u wel, we hebben het ontvangen")) }
        p role="status" { (lang.say("Files received:", "Ontvangen bestanden:")) " " (files) ". "
            (lang.say("A person on our team will look at them and get back to you. You can close this page.",
                "Iemand van ons team bekijkt ze en neemt contact met u op. U kunt deze pagina sluiten.")) }
        (footer(lang, s))
    }
}

/// Why a link does not work now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// Not a link we made.
    Unknown,
    /// Already used.
    Used,
    /// Past its time.
    Expired,
    /// Withdrawn by the team.
    Revoked,
    /// Too many requests in a short time.
    Busy,
    /// The form was not ours or is stale.
    StaleForm,
    /// Storage failed.
    Unavailable,
}

/// A friendly refusal: what happened and how to reach a person.
pub fn closed(lang: Lang, s: &Settings, why: Closed) -> Markup {
    let (title, text) = match why {
        Closed::Unknown => (
            lang.say("This link does not work", "Deze link werkt niet"),
            lang.say("We do not recognise this link. Check that you copied all of it, or ask us for a new one.",
                "We herkennen deze link niet. Controleer of u hem helemaal hebt overgenomen, of vraag ons om een nieuwe."),
        ),
        Closed::Used => (
            lang.say("This link has already been used", "Deze link is al gebruikt"),
            lang.say("We already received your files through this link, so it cannot be used again. If you want to send something else, ask us for a new link.",
                "We hebben via deze link uw bestanden al ontvangen, dus hij werkt niet nog een keer. Wilt u nog iets sturen, vraag ons dan om een nieuwe link."),
        ),
        Closed::Expired => (
            lang.say("This link has expired", "Deze link is verlopen"),
            lang.say("For your safety a link works for a limited time. Ask us for a new one and we will send it right away.",
                "Voor uw veiligheid werkt een link een beperkte tijd. Vraag ons om een nieuwe, dan sturen we die meteen."),
        ),
        Closed::Revoked => (
            lang.say("This link is no longer needed", "Deze link is niet meer nodig"),
            lang.say("Our team withdrew this request; you do not need to send anything through it.",
                "Ons team heeft dit verzoek ingetrokken; u hoeft via deze link niets te sturen."),
        ),
        Closed::Busy => (
            lang.say("One moment, please", "Een moment geduld"),
            lang.say("We received many requests in a short time. Wait a few minutes and try again.",
                "We kregen veel verzoeken in korte tijd. Wacht een paar minuten en probeer het opnieuw."),
        ),
        Closed::StaleForm => (
            lang.say("Please try once more", "Probeer het nog een keer"),
            lang.say("This page was open for a while or was opened elsewhere. Open the link again and send your files from there.",
                "Deze pagina stond lang open of is ergens anders geopend. Open de link opnieuw en verstuur uw bestanden van daaruit."),
        ),
        Closed::Unavailable => (
            lang.say("Something went wrong on our side", "Er ging bij ons iets mis"),
            lang.say("Nothing was stored. Please try again in a few minutes.",
                "Er is niets opgeslagen. Probeer het over een paar minuten opnieuw."),
        ),
    };
    html! {
        h1 { (title) }
        p role="alert" { (text) }
        p { (lang.say("You can also reach a person:", "U kunt ook een mens spreken:")) " " (s.contact(lang)) }
    }
}

//! XMP: flattens every RDF serialisation into `(property, value)` pairs.
//!
//! XMP writers disagree on form: a property can be an attribute of
//! `rdf:Description`, an element with text, an element with `rdf:resource`, or
//! a structure with `rdf:value`. Flattening them into one list lets the rules
//! ask "is DigitalSourceType trainedAlgorithmicMedia?" once, for every form.
//! Namespace prefixes are normalised by URI, so `foo:DigitalSourceType` bound to
//! the IPTC extension namespace is still found.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use serde::Serialize;

const MAX_DEPTH: usize = 64;
const MAX_PROPS: usize = 20_000;
const MAX_VALUE: usize = 64 << 10;

/// One flattened XMP property value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct XmpProp {
    /// Property path of normalised qualified names, e.g. `xmpMM:History/stEvt:action`.
    pub path: String,
    /// The value as text.
    pub value: String,
    /// Index of the enclosing `rdf:li` items, so fields of one struct group together.
    pub item: Vec<u32>,
}

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// Well-known namespaces and the prefix reports use for them.
const PREFIXES: &[(&str, &str)] = &[
    ("http://ns.adobe.com/xap/1.0/", "xmp"),
    ("http://ns.adobe.com/xap/1.0/mm/", "xmpMM"),
    ("http://ns.adobe.com/xap/1.0/sType/ResourceEvent#", "stEvt"),
    ("http://ns.adobe.com/xap/1.0/sType/ResourceRef#", "stRef"),
    ("http://iptc.org/std/Iptc4xmpExt/2008-02-29/", "Iptc4xmpExt"),
    (
        "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
        "Iptc4xmpCore",
    ),
    ("http://purl.org/dc/elements/1.1/", "dc"),
    ("http://purl.org/dc/terms/", "dcterms"),
    ("http://ns.adobe.com/photoshop/1.0/", "photoshop"),
    ("http://ns.adobe.com/tiff/1.0/", "tiff"),
    ("http://ns.adobe.com/exif/1.0/", "exif"),
    ("http://ns.adobe.com/exif/1.0/aux/", "aux"),
    ("http://ns.adobe.com/camera-raw-settings/1.0/", "crs"),
    ("http://ns.useplus.org/ldf/xmp/1.0/", "plus"),
    ("http://ns.google.com/photos/1.0/camera/", "GCamera"),
    ("http://ns.adobe.com/lightroom/1.0/", "lr"),
    ("http://www.gimp.org/xmp/", "GIMP"),
];

/// Flattens one XMP packet. Malformed XML yields what was read before the error.
pub fn flatten(xml: &str) -> (Vec<XmpProp>, Option<String>) {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let mut props = Vec::new();
    // Element stack: (qualified name or None for rdf containers, li index if rdf:li)
    let mut stack: Vec<Frame> = Vec::new();
    let mut buf = Vec::new();
    let mut error = None;
    loop {
        if props.len() >= MAX_PROPS {
            error = Some("more than 20,000 XMP properties; the rest was not read".into());
            break;
        }
        let (ns, ev) = match reader.read_resolved_event_into(&mut buf) {
            Ok(x) => x,
            Err(e) => {
                error = Some(format!("XMP is not well-formed XML: {e}"));
                break;
            }
        };
        let ns = ns_uri(&ns);
        match ev {
            Event::Start(e) | Event::Empty(e) if stack.len() >= MAX_DEPTH => {
                let _ = e;
                error = Some("XMP nesting deeper than 64 levels; the rest was not read".into());
                break;
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(ev, Event::Empty(_));
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let is_rdf = ns.as_deref() == Some(RDF);
                let name = if is_rdf {
                    None
                } else {
                    Some(qualify(ns.as_deref(), &local, e.name().as_ref()))
                };
                // rdf:li numbering within its parent container.
                let li = if is_rdf && local == "li" {
                    let parent = stack.last_mut();

                    parent.map(|p| {
                        p.children += 1;
                        p.children
                    })
                } else {
                    None
                };
                let frame = Frame {
                    name,
                    li,
                    children: 0,
                    text: String::new(),
                };
                stack.push(frame);
                let path = path_of(&stack);
                let items = items_of(&stack);
                for attr in e.attributes().flatten() {
                    let (ans, alocal) = reader.resolve_attribute(attr.key);
                    let ans = ns_uri(&ans);
                    let alocal = String::from_utf8_lossy(alocal.as_ref()).into_owned();
                    let value = attr
                        .unescape_value()
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    if ans.as_deref() == Some(RDF) {
                        if alocal == "resource" && !path.is_empty() {
                            push(&mut props, path.clone(), value, items.clone());
                        }
                        continue;
                    }
                    if ans.as_deref() == Some("http://www.w3.org/XML/1998/namespace")
                        || ans.is_none()
                    {
                        continue;
                    }
                    if ans
                        .as_deref()
                        .is_some_and(|u| u.starts_with("http://www.w3.org/2000/xmlns"))
                    {
                        continue;
                    }
                    let aname = qualify(ans.as_deref(), &alocal, attr.key.as_ref());
                    let p = if path.is_empty() {
                        aname
                    } else {
                        format!("{path}/{aname}")
                    };
                    push(&mut props, p, value, items.clone());
                }
                if is_empty {
                    stack.pop();
                }
            }
            Event::Text(t) => {
                if let (Some(top), Ok(s)) = (stack.last_mut(), t.decode()) {
                    append(&mut top.text, &s);
                }
            }
            Event::CData(t) => {
                if let (Some(top), Ok(s)) = (stack.last_mut(), t.decode()) {
                    append(&mut top.text, &s);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let name = String::from_utf8_lossy(&r);
                    append(&mut top.text, &entity(&name));
                }
            }
            Event::End(_) => {
                let path = path_of(&stack);
                let items = items_of(&stack);
                if let Some(frame) = stack.pop() {
                    let text = frame.text.trim();
                    if !text.is_empty() && !path.is_empty() {
                        push(&mut props, path, text.to_owned(), items);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    (props, error)
}

struct Frame {
    name: Option<String>,
    li: Option<u32>,
    children: u32,
    text: String,
}

fn push(props: &mut Vec<XmpProp>, path: String, value: String, item: Vec<u32>) {
    props.push(XmpProp { path, value, item });
}

fn append(s: &mut String, t: &str) {
    if s.len() + t.len() <= MAX_VALUE {
        s.push_str(t);
    }
}

fn entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        _ => {
            let code = if let Some(h) = name.strip_prefix("#x") {
                u32::from_str_radix(h, 16).ok()
            } else {
                name.strip_prefix('#').and_then(|d| d.parse().ok())
            };
            code.and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_default()
        }
    }
}

fn ns_uri(r: &ResolveResult) -> Option<String> {
    match r {
        ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
        _ => None,
    }
}

fn qualify(ns: Option<&str>, local: &str, raw: &[u8]) -> String {
    if let Some(prefix) = ns
        .and_then(|u| PREFIXES.iter().find(|(uri, _)| *uri == u))
        .map(|(_, p)| p)
    {
        return format!("{prefix}:{local}");
    }
    String::from_utf8_lossy(raw).into_owned()
}

fn path_of(stack: &[Frame]) -> String {
    let names: Vec<&str> = stack
        .iter()
        .filter_map(|f| f.name.as_deref())
        .filter(|n| !n.starts_with("x:"))
        .collect();
    names.join("/")
}

fn items_of(stack: &[Frame]) -> Vec<u32> {
    stack.iter().filter_map(|f| f.li).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DST: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";

    fn find<'a>(props: &'a [XmpProp], path: &str) -> Option<&'a str> {
        props
            .iter()
            .find(|p| p.path == path)
            .map(|p| p.value.as_str())
    }

    #[test]
    fn attribute_form() {
        let x = format!(
            r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{RDF}"><rdf:Description xmlns:I="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" I:DigitalSourceType="{DST}"/></rdf:RDF></x:xmpmeta>"#
        );
        let (p, e) = flatten(&x);
        assert!(e.is_none());
        assert_eq!(find(&p, "Iptc4xmpExt:DigitalSourceType"), Some(DST));
    }

    #[test]
    fn element_and_resource_forms() {
        let x = format!(
            r#"<rdf:RDF xmlns:rdf="{RDF}"><rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"><Iptc4xmpExt:DigitalSourceType rdf:resource="{DST}"/></rdf:Description><rdf:Description xmlns:a="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"><a:DigitalSourceType>{DST}</a:DigitalSourceType></rdf:Description></rdf:RDF>"#
        );
        let (p, _) = flatten(&x);
        let n = p
            .iter()
            .filter(|p| p.path == "Iptc4xmpExt:DigitalSourceType" && p.value == DST)
            .count();
        assert_eq!(n, 2);
    }

    #[test]
    fn history_items_group() {
        let x = format!(
            r#"<rdf:RDF xmlns:rdf="{RDF}"><rdf:Description xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"><xmpMM:History><rdf:Seq><rdf:li stEvt:action="created" stEvt:softwareAgent="Camera"/><rdf:li><stEvt:action>saved</stEvt:action><stEvt:softwareAgent>Adobe Photoshop 25.0 &amp; more</stEvt:softwareAgent></rdf:li></rdf:Seq></xmpMM:History></rdf:Description></rdf:RDF>"#
        );
        let (p, _) = flatten(&x);
        let agent = p
            .iter()
            .find(|p| p.path == "xmpMM:History/stEvt:softwareAgent" && p.item == vec![2])
            .unwrap();
        assert_eq!(agent.value, "Adobe Photoshop 25.0 & more");
    }

    #[test]
    fn garbage_does_not_panic() {
        let (_, e) = flatten("<a><b></a>&bogus;<<<");
        let _ = e;
        let deep = "<a>".repeat(10_000);
        let (_, e) = flatten(&deep);
        assert!(e.is_some());
    }
}

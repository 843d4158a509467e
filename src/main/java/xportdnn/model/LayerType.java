package xportdnn.model;

import static xportdnn.model.ChaidnnSupport.DEVICE;
import static xportdnn.model.ChaidnnSupport.SOFTWARE;
import static xportdnn.model.ChaidnnSupport.UNSUPPORTED;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import xportdnn.model.proto.Caffe.EltwiseParameter;
import xportdnn.model.proto.Caffe.EltwiseParameter.EltwiseOp;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.PowerParameter;
import xportdnn.model.proto.Caffe.ScaleParameter;
import xportdnn.model.proto.Caffe.PoolingParameter.PoolMethod;

/**
 * The Caffe layer types the tool knows, each with its model-level facts: its bottom count and top-shape rule
 * ({@link ShapeInference}), its learned-parameter shapes ({@link ParameterShapes}), where CHaiDNN runs it
 * ({@link ChaidnnSupport}), its multiply-adds ({@link MultiplyAdds}) and which precision_param block it carries
 * (spec/chaidnn-precision.md section 3). Any other type string is {@link #UNKNOWN}.
 *
 * <p>To add a layer type: add a constant here, then the compiler points to the engine op and simulator step
 * switches (engine.layers.Layers, sim.FixedPointNet) and the other exhaustive switches over this enum.
 */
public enum LayerType {
    INPUT("Input", 0, 0, ShapeInference::input, ChaidnnSupport.INPUT, Blocks.XILINX),
    CONVOLUTION("Convolution", 1, 1, oneTop(ShapeInference::convolution), DEVICE, Blocks.BOTH) {
        @Override
        List<int[]> parameterShapes(LayerParameter layer, List<int[]> bottoms) {
            return ParameterShapes.convolution(layer, bottoms, false);
        }

        @Override
        String countSetting(LayerParameter layer) {
            return ParameterShapes.biasTerm(layer.getConvolutionParam().getBiasTerm());
        }

        @Override
        long multiplyAdds(LayerParameter layer, List<int[]> bottoms, List<int[]> tops) {
            return MultiplyAdds.convolution(layer, bottoms, tops);
        }
    },
    DECONVOLUTION("Deconvolution", 1, 1, oneTop(ShapeInference::deconvolution), DEVICE, Blocks.XILINX) {
        @Override
        List<int[]> parameterShapes(LayerParameter layer, List<int[]> bottoms) {
            return ParameterShapes.convolution(layer, bottoms, true);
        }

        @Override
        String countSetting(LayerParameter layer) {
            return ParameterShapes.biasTerm(layer.getConvolutionParam().getBiasTerm());
        }

        @Override
        long multiplyAdds(LayerParameter layer, List<int[]> bottoms, List<int[]> tops) {
            return MultiplyAdds.deconvolution(layer, bottoms);
        }
    },
    INNER_PRODUCT("InnerProduct", 1, 1, oneTop(ShapeInference::innerProduct), SOFTWARE, Blocks.NONE) {
        @Override
        List<int[]> parameterShapes(LayerParameter layer, List<int[]> bottoms) {
            return ParameterShapes.innerProduct(layer, bottoms);
        }

        @Override
        String countSetting(LayerParameter layer) {
            return ParameterShapes.biasTerm(layer.getInnerProductParam().getBiasTerm());
        }

        @Override
        long multiplyAdds(LayerParameter layer, List<int[]> bottoms, List<int[]> tops) {
            return MultiplyAdds.innerProduct(layer, bottoms, tops);
        }
    },
    POOLING("Pooling", 1, 1, oneTop(ShapeInference::pooling), DEVICE, Blocks.BOTH) {
        // The device pools max and average only; Caffe's STOCHASTIC pooling has no CHaiDNN kernel.
        @Override
        ChaidnnSupport chaidnnSupport(LayerParameter layer) {
            return layer.getPoolingParam().getPool() == PoolMethod.STOCHASTIC ? UNSUPPORTED : DEVICE;
        }

        @Override
        String describe(LayerParameter layer) {
            return layer.getPoolingParam().getPool() + " Pooling";
        }
    },
    RELU("ReLU", 1, 1, ShapeInference::same, SOFTWARE, Blocks.XILINX) {
        // CHaiDNN's ReLU is the plain one; a leaky ReLU (negative_slope != 0) is not supported.
        @Override
        ChaidnnSupport chaidnnSupport(LayerParameter layer) {
            return layer.getReluParam().getNegativeSlope() == 0f ? SOFTWARE : UNSUPPORTED;
        }

        @Override
        String describe(LayerParameter layer) {
            return layer.getReluParam().getNegativeSlope() == 0f ? "ReLU"
                    : "ReLU negative_slope " + layer.getReluParam().getNegativeSlope();
        }
    },
    PRELU("PReLU", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE) {
        @Override
        List<int[]> parameterShapes(LayerParameter layer, List<int[]> bottoms) {
            return List.of(ParameterShapes.perChannel(layer, bottoms.get(0), layer.getPreluParam().getChannelShared()));
        }
    },
    SIGMOID("Sigmoid", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    TANH("TanH", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    ELU("ELU", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    ABSVAL("AbsVal", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    BNLL("BNLL", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    POWER("Power", 1, 1, ShapeInference::same, SOFTWARE, Blocks.NONE) {
        // CHaiDNN's parser accepts only the negation: power 1, scale -1, shift 0 (EP072..EP074).
        @Override
        ChaidnnSupport chaidnnSupport(LayerParameter layer) {
            PowerParameter p = layer.getPowerParam();
            return p.getPower() == 1f && p.getScale() == -1f && p.getShift() == 0f ? SOFTWARE : UNSUPPORTED;
        }

        @Override
        String describe(LayerParameter layer) {
            PowerParameter p = layer.getPowerParam();
            return "Power power " + p.getPower() + " scale " + p.getScale() + " shift " + p.getShift();
        }

        @Override
        String hint(LayerParameter layer) {
            return "CHaiDNN's Power only negates (power 1, scale -1, shift 0)";
        }
    },
    EXP("Exp", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    LOG("Log", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    THRESHOLD("Threshold", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    CLIP("Clip", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    BATCH_NORM("BatchNorm", 1, 1, ShapeInference::same, DEVICE, Blocks.BOTH) {
        @Override
        List<int[]> parameterShapes(LayerParameter layer, List<int[]> bottoms) {
            return ParameterShapes.batchNorm(bottoms);
        }
    },
    SCALE("Scale", 1, 2, ShapeInference::scaleOrBias, DEVICE, Blocks.BOTH) {
        // CHaiDNN scales per channel by learned factors only: one bottom, axis 1, num_axes 1 (EP062, EP063).
        @Override
        ChaidnnSupport chaidnnSupport(LayerParameter layer) {
            ScaleParameter p = layer.getScaleParam();
            return layer.getBottomCount() < 2 && p.getAxis() == 1 && p.getNumAxes() == 1 ? DEVICE : UNSUPPORTED;
        }

        @Override
        String describe(LayerParameter layer) {
            ScaleParameter p = layer.getScaleParam();
            return layer.getBottomCount() > 1 ? "Scale by a second bottom"
                    : p.getAxis() != 1 || p.getNumAxes() != 1 ? "Scale axis " + p.getAxis() + " num_axes "
                            + p.getNumAxes() : "Scale";
        }

        @Override
        List<int[]> parameterShapes(LayerParameter layer, List<int[]> bottoms) {
            return ParameterShapes.scaleOrBias(layer, bottoms, layer.getScaleParam().getBiasTerm());
        }

        @Override
        String countSetting(LayerParameter layer) {
            return ParameterShapes.biasTerm(layer.getScaleParam().getBiasTerm());
        }
    },
    BIAS("Bias", 1, 2, ShapeInference::scaleOrBias, UNSUPPORTED, Blocks.NONE) {
        @Override
        List<int[]> parameterShapes(LayerParameter layer, List<int[]> bottoms) {
            return ParameterShapes.scaleOrBias(layer, bottoms, false);
        }
    },
    SOFTMAX("Softmax", 1, 1, oneTop(ShapeInference::softmax), SOFTWARE, Blocks.NONE),
    LRN("LRN", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    DROPOUT("Dropout", 1, 1, ShapeInference::same, SOFTWARE, Blocks.NONE),
    NORMALIZE("Normalize", 1, 1, ShapeInference::same, DEVICE, Blocks.XILINX) {
        @Override
        List<int[]> parameterShapes(LayerParameter layer, List<int[]> bottoms) {
            return List.of(ParameterShapes.perChannel(layer, bottoms.get(0), layer.getNormParam().getChannelShared()));
        }
    },
    MVN("MVN", 1, 1, ShapeInference::same, UNSUPPORTED, Blocks.NONE),
    /** Not a layer type CHaiDNN registers: its parser stops at one (EP009), though it lets several layers read a blob. */
    SPLIT("Split", 1, 1, ShapeInference::split, UNSUPPORTED, Blocks.NONE) {
        @Override
        String hint(LayerParameter layer) {
            return "remove it and let its readers read its bottom, which CHaiDNN allows";
        }
    },
    SLICE("Slice", 1, 1, ShapeInference::slice, UNSUPPORTED, Blocks.NONE),
    ELTWISE("Eltwise", 2, Integer.MAX_VALUE, ShapeInference::eltwise, DEVICE, Blocks.BOTH) {
        // CHaiDNN's parser takes two bottoms, SUM or PROD, no coeff (EP061, EP062).
        @Override
        ChaidnnSupport chaidnnSupport(LayerParameter layer) {
            EltwiseParameter p = layer.getEltwiseParam();
            return layer.getBottomCount() <= 2 && p.getOperation() != EltwiseOp.MAX && p.getCoeffCount() == 0 ? DEVICE
                    : UNSUPPORTED;
        }

        @Override
        String describe(LayerParameter layer) {
            EltwiseParameter p = layer.getEltwiseParam();
            return "Eltwise " + p.getOperation() + (p.getCoeffCount() > 0 ? " with coeff" : "")
                    + (layer.getBottomCount() > 2 ? " of " + layer.getBottomCount() + " bottoms" : "");
        }

        @Override
        String hint(LayerParameter layer) {
            return "CHaiDNN's Eltwise sums or multiplies exactly two bottoms, without coeff";
        }
    },
    CONCAT("Concat", 1, Integer.MAX_VALUE, ShapeInference::concat, SOFTWARE, Blocks.XILINX),
    FLATTEN("Flatten", 1, 1, oneTop(ShapeInference::flatten), SOFTWARE, Blocks.NONE),
    RESHAPE("Reshape", 1, 1, oneTop(ShapeInference::reshape), SOFTWARE, Blocks.NONE),
    PERMUTE("Permute", 1, 1, oneTop(ShapeInference::permute), DEVICE, Blocks.BOTH),
    CROP("Crop", 2, 2, ShapeInference::crop, SOFTWARE, Blocks.NONE),
    PRIOR_BOX("PriorBox", 2, 2, oneTop(ShapeInference::priorBox), SOFTWARE, Blocks.NONE),
    DETECTION_OUTPUT("DetectionOutput", 3, 3, oneTop(ShapeInference::detectionOutput), SOFTWARE, Blocks.NONE),
    ARG_MAX("ArgMax", 1, 1, oneTop(ShapeInference::argMax), SOFTWARE, Blocks.NONE),
    TILE("Tile", 1, 1, oneTop(ShapeInference::tile), UNSUPPORTED, Blocks.NONE),
    REDUCTION("Reduction", 1, 1, oneTop(ShapeInference::reduction), UNSUPPORTED, Blocks.NONE),
    /** Any type string not above: shape inference refuses it, CHaiDNN does not support it. */
    UNKNOWN(null, 0, Integer.MAX_VALUE, ShapeInference::unknownType, UNSUPPORTED, Blocks.NONE);

    /** Which precision_param blocks a type carries; DynamicFixed blocks go on a subset of the Xilinx ones. */
    private enum Blocks { NONE, XILINX, BOTH }

    /** The shapes of a layer's tops from its definition and its bottom shapes. */
    @FunctionalInterface
    private interface ShapeRule {
        List<int[]> shapes(LayerParameter layer, List<int[]> bottoms);
    }

    private static final Map<String, LayerType> BY_NAME = Arrays.stream(values()).filter(t -> t != UNKNOWN)
            .collect(Collectors.toUnmodifiableMap(t -> t.typeName, Function.identity()));

    private final String typeName;
    private final int minBottoms;
    private final int maxBottoms;
    private final ShapeRule topRule;
    private final ChaidnnSupport support;
    private final Blocks blocks;

    LayerType(String typeName, int minBottoms, int maxBottoms, ShapeRule topRule, ChaidnnSupport support,
            Blocks blocks) {
        this.typeName = typeName;
        this.minBottoms = minBottoms;
        this.maxBottoms = maxBottoms;
        this.topRule = topRule;
        this.support = support;
        this.blocks = blocks;
    }

    public static LayerType of(String typeName) {
        return BY_NAME.getOrDefault(typeName, UNKNOWN);
    }

    public static LayerType of(LayerParameter layer) {
        return of(layer.getType());
    }

    /** The Caffe type string, e.g. "InnerProduct". */
    public String typeName() {
        if (this == UNKNOWN) {
            throw new IllegalStateException("UNKNOWN stands for every type string the tool does not know");
        }
        return typeName;
    }

    /** Whether a layer of this type gets a precision_param block in Xilinx mode (when CHaiDNN supports it). */
    public boolean carriesXilinxBlock() {
        return blocks != Blocks.NONE;
    }

    /** Whether a layer of this type gets a precision_param block in DynamicFixed mode. */
    public boolean carriesDynamicFixedBlock() {
        return blocks == Blocks.BOTH;
    }

    int minBottoms() {
        return minBottoms;
    }

    /** {@link Integer#MAX_VALUE} when any number of bottoms from {@link #minBottoms} on is accepted. */
    int maxBottoms() {
        return maxBottoms;
    }

    List<int[]> topShapes(LayerParameter layer, List<int[]> bottoms) {
        return topRule.shapes(layer, bottoms);
    }

    /** Learned-parameter shapes in Caffe's blob order; none unless a constant says otherwise. */
    List<int[]> parameterShapes(LayerParameter layer, List<int[]> bottoms) {
        return List.of();
    }

    /** The definition setting that decides the learned-blob count, e.g. "bias_term: true"; or "". */
    String countSetting(LayerParameter layer) {
        return "";
    }

    /** Weighted multiply-adds per image; 0 for types without weighted products. */
    long multiplyAdds(LayerParameter layer, List<int[]> bottoms, List<int[]> tops) {
        return 0;
    }

    /** Where CHaiDNN runs the layer: the type's placement unless a constant makes it depend on a setting. */
    ChaidnnSupport chaidnnSupport(LayerParameter layer) {
        return support;
    }

    /** The layer's type, with the setting that makes it unsupported when the type alone would be supported. */
    String describe(LayerParameter layer) {
        return layer.getType();
    }

    /** What CHaiDNN runs instead, or what the user can do, when a layer is unsupported; or "". */
    String hint(LayerParameter layer) {
        return "";
    }

    /** A rule for one top computed from the first bottom. */
    private static ShapeRule oneTop(BiFunction<LayerParameter, int[], int[]> rule) {
        return (layer, bottoms) -> List.of(rule.apply(layer, bottoms.get(0)));
    }
}

package xportdnn.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Int64Value;
import com.google.protobuf.Struct;
import com.google.protobuf.TextFormat;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.Value;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xportdnn.SharedData;
import xportdnn.model.proto.Caffe.BlobProto;
import xportdnn.model.proto.Caffe.BlobShape;
import xportdnn.model.proto.Caffe.Datum;
import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.Phase;
import xportdnn.model.proto.Caffe.PoolingParameter;
import xportdnn.model.proto.Caffe.PrecisionParameter;
import xportdnn.model.proto.Caffe.SolverParameter;

class PrototxtWriterTest {

    /** The README beside them says Python's text_format reproduces these files byte for byte. */
    @ParameterizedTest
    @ValueSource(strings = {"fcn5_deploy_666.prototxt", "fcn5_deploy_668.prototxt"})
    void reprintsRealXportDnnOutputByteForByte(String name) throws Exception {
        Path file = SharedData.require("spec/real-xportdnn-output/" + name);
        String original = Files.readString(file, StandardCharsets.UTF_8);
        NetParameter.Builder net = NetParameter.newBuilder();
        TextFormat.merge(original, net);
        assertEquals(original, PrototxtWriter.print(net.build()));
    }

    @Test
    void fieldsInFieldNumberOrderWithNestedIndent() {
        // Set in the "wrong" order: bottom/top before name/type, th_params before quant_type's neighbours.
        LayerParameter layer = LayerParameter.newBuilder()
                .setPrecisionParam(PrecisionParameter.newBuilder()
                        .setQuantType("Xilinx")
                        .addThParams(0.5f).addThParams(-1e-5f)
                        .setThLayerOut(148.765808105f)
                        .setBwLayerIn(8))
                .setPoolingParam(PoolingParameter.newBuilder().setPool(PoolingParameter.PoolMethod.AVE)
                        .setGlobalPooling(true))
                .addTop("pool1").addBottom("conv1")
                .setPhase(Phase.TEST)
                .addLossWeight(1)
                .setType("Pooling").setName("pool1")
                .build();
        String expected = """
                name: "pool1"
                type: "Pooling"
                bottom: "conv1"
                top: "pool1"
                loss_weight: 1
                phase: TEST
                pooling_param {
                  pool: AVE
                  global_pooling: true
                }
                precision_param {
                  bw_layer_in: 8
                  th_layer_out: 148.765808105
                  th_params: 0.5
                  th_params: -9.99999974738e-06
                  quant_type: "Xilinx"
                }
                """;
        assertEquals(expected, PrototxtWriter.print(layer));
    }

    @Test
    void integerDoubleAndBytesFields() {
        BlobProto blob = BlobProto.newBuilder()
                .setShape(BlobShape.newBuilder().addDim(3).addDim(-1).addDim(5_000_000_000L))
                .addDoubleData(0.1).addDoubleData(1e20).addDoubleData(Double.NEGATIVE_INFINITY)
                .setNum(-7)
                .build();
        assertEquals("""
                num: -7
                shape {
                  dim: 3
                  dim: -1
                  dim: 5000000000
                }
                double_data: 0.1
                double_data: 1e+20
                double_data: -inf
                """, PrototxtWriter.print(blob));
        assertEquals("random_seed: -1\n", PrototxtWriter.print(SolverParameter.newBuilder().setRandomSeed(-1)));
        assertEquals("value: 4294967295\n", PrototxtWriter.print(UInt32Value.of(-1)));
        assertEquals("value: 18446744073709551615\n", PrototxtWriter.print(UInt64Value.of(-1L)));
        assertEquals("value: -9223372036854775808\n", PrototxtWriter.print(Int64Value.of(Long.MIN_VALUE)));
        Datum datum = Datum.newBuilder().setData(ByteString.copyFrom(new byte[] {0, 7, 65, (byte) 0xff, 34}))
                .setEncoded(false).build();
        assertEquals("data: \"\\000\\007A\\377\\\"\"\nencoded: false\n", PrototxtWriter.print(datum));
    }

    @Test
    void stringsUsePythonCEscapingOfUtf8Bytes() {
        String name = "a\"b'c\\d\te\nf\rg\u0001h\u007fi\u00e9/\u20ac";
        // é is C3 A9 and € is E2 82 AC in UTF-8; each byte >= 127 or < 32 becomes a 3-digit octal escape.
        String expected = "name: \"a\\\"b\\'c\\\\d\\te\\nf\\rg\\001h\\177i\\303\\251/\\342\\202\\254\"\n";
        assertEquals(expected, PrototxtWriter.print(LayerParameter.newBuilder().setName(name)));
    }

    @Test
    void emptyNestedMessageAndDefaultsThatWereSetExplicitly() {
        LayerParameter layer = LayerParameter.newBuilder()
                .setName("")
                .setInputParam(xportdnn.model.proto.Caffe.InputParameter.getDefaultInstance())
                .setPrecisionParam(PrecisionParameter.newBuilder().setQuantType("DynamicFixed").setFlLayerIn(0))
                .build();
        assertEquals("""
                name: ""
                input_param {
                }
                precision_param {
                  fl_layer_in: 0
                  quant_type: "DynamicFixed"
                }
                """, PrototxtWriter.print(layer));
        assertEquals("", PrototxtWriter.print(NetParameter.getDefaultInstance()));
    }

    @Test
    void unknownFieldsAreNotPrinted() throws Exception {
        LayerParameter withUnknown = LayerParameter.newBuilder().setName("conv")
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(145, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build())
                .build();
        LayerParameter reparsed = LayerParameter.parseFrom(withUnknown.toByteArray());
        assertEquals(1, reparsed.getUnknownFields().asMap().size());
        assertEquals("name: \"conv\"\n", PrototxtWriter.print(reparsed));
    }

    @Test
    void groupsPrintUnderTheirTypeNameAndUnnamedOpenEnumValuesAsNumbers() throws Exception {
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("t.proto").setPackage("t")
                .addEnumType(EnumDescriptorProto.newBuilder().setName("Color")
                        .addValue(EnumValueDescriptorProto.newBuilder().setName("RED").setNumber(0)))
                .addMessageType(DescriptorProto.newBuilder().setName("Outer")
                        .addNestedType(DescriptorProto.newBuilder().setName("Item")
                                .addField(field("x", 2, FieldDescriptorProto.Type.TYPE_INT32)))
                        .addField(field("item", 1, FieldDescriptorProto.Type.TYPE_GROUP).setTypeName(".t.Outer.Item")))
                .build();
        Descriptor outer = FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("Outer");
        Descriptor item = outer.findNestedTypeByName("Item");
        DynamicMessage msg = DynamicMessage.newBuilder(outer)
                .setField(outer.findFieldByName("item"),
                        DynamicMessage.newBuilder(item).setField(item.findFieldByName("x"), 4).build())
                .build();
        assertEquals("Item {\n  x: 4\n}\n", PrototxtWriter.print(msg));

        // google.protobuf.Value (proto3) has an open enum field, null_value.
        Value v = Value.newBuilder().setNullValueValue(7).build();
        assertEquals("null_value: 7\n", PrototxtWriter.print(v));
        assertEquals("null_value: NULL_VALUE\n", PrototxtWriter.print(Value.newBuilder().setNullValueValue(0)));
    }

    @Test
    void refusesMapFields() {
        Struct s = Struct.newBuilder().putFields("a", Value.newBuilder().setBoolValue(true).build()).build();
        assertThrows(IllegalArgumentException.class, () -> PrototxtWriter.print(s));
    }

    private static FieldDescriptorProto.Builder field(String name, int number, FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
    }
}

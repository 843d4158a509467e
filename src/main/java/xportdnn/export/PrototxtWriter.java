package xportdnn.export;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Protobuf text format exactly as Python's {@code text_format.MessageToString(msg, float_format='.12g')} writes it,
 * which is what the original XportDNN produced and what CHaiDNN users diff against. Java's own {@code TextFormat}
 * differs in float formatting ({@code Float.toString}) and string escaping, hence this printer.
 *
 * <p>Rules: set fields in field-number order, two spaces of indent per level, {@code name: value} for scalars (one
 * line per element of a repeated field), {@code name {} ... {@code }} for messages, enums by name, floats and
 * doubles as C {@code %.12g} of the value widened to double, strings and bytes double-quoted with Python's C
 * escaping of their UTF-8 bytes. Unknown fields are not printed. Map fields and extensions, which caffe.proto does
 * not have, are refused rather than printed in a form Python would not produce.
 */
public final class PrototxtWriter {

    private static final int FLOAT_DIGITS = 12;

    private PrototxtWriter() {
    }

    public static String print(MessageOrBuilder message) {
        StringBuilder out = new StringBuilder();
        printFields(message, 0, out);
        return out.toString();
    }

    private static void printFields(MessageOrBuilder message, int indent, StringBuilder out) {
        List<Map.Entry<FieldDescriptor, Object>> fields = new ArrayList<>(message.getAllFields().entrySet());
        fields.sort(Comparator.comparingInt(e -> e.getKey().getNumber()));
        for (Map.Entry<FieldDescriptor, Object> e : fields) {
            FieldDescriptor field = e.getKey();
            if (field.isMapField() || field.isExtension()) {
                throw new IllegalArgumentException("cannot print " + field.getFullName()
                        + ": map fields and extensions are not supported");
            }
            if (field.isRepeated()) {
                for (Object element : (List<?>) e.getValue()) {
                    printField(field, element, indent, out);
                }
            } else {
                printField(field, e.getValue(), indent, out);
            }
        }
    }

    private static void printField(FieldDescriptor field, Object value, int indent, StringBuilder out) {
        out.append(" ".repeat(indent));
        // Python names a group field after its message type (the capitalised name).
        out.append(field.getType() == FieldDescriptor.Type.GROUP ? field.getMessageType().getName() : field.getName());
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            out.append(" {\n");
            printFields((MessageOrBuilder) value, indent + 2, out);
            out.append(" ".repeat(indent)).append("}\n");
        } else {
            out.append(": ").append(scalar(field, value)).append('\n');
        }
    }

    private static String scalar(FieldDescriptor field, Object value) {
        return switch (field.getType()) {
            case FLOAT, DOUBLE -> CGeneralFormat.format(((Number) value).doubleValue(), FLOAT_DIGITS);
            case UINT32, FIXED32 -> Integer.toUnsignedString((Integer) value);
            case UINT64, FIXED64 -> Long.toUnsignedString((Long) value);
            case BOOL -> ((Boolean) value) ? "true" : "false";
            case ENUM -> enumName((EnumValueDescriptor) value);
            case STRING -> quote(((String) value).getBytes(StandardCharsets.UTF_8));
            case BYTES -> quote(((ByteString) value).toByteArray());
            default -> value.toString(); // the signed integer types
        };
    }

    /** An open (proto3) enum can hold a number with no name; Python then prints the number. */
    private static String enumName(EnumValueDescriptor value) {
        return value.getType().findValueByNumber(value.getNumber()) == null
                ? Integer.toString(value.getNumber()) : value.getName();
    }

    /** Python's {@code text_encoding.CEscape(bytes, as_utf8=False)} between double quotes. */
    static String quote(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length + 2).append('"');
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\'' -> sb.append("\\'");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 32 || c >= 127) {
                        sb.append('\\').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7)))
                                .append((char) ('0' + (c & 7)));
                    } else {
                        sb.append((char) c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}

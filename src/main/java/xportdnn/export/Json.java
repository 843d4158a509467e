package xportdnn.export;

import java.util.List;
import java.util.Map;

/**
 * A minimal JSON printer for reports (no JSON library is on the classpath): maps with string keys (printed in
 * their iteration order), lists, strings, numbers, booleans and null, two spaces of indent. Non-finite numbers,
 * which JSON cannot hold, are printed as null.
 */
public final class Json {

    private Json() {
    }

    public static String print(Object value) {
        StringBuilder out = new StringBuilder();
        value(value, 0, out);
        return out.append('\n').toString();
    }

    private static void value(Object v, int indent, StringBuilder out) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof String s) {
            string(s, out);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            out.append(Double.isFinite(d) ? number(v) : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            out.append(v);
        } else if (v instanceof Map<?, ?> m) {
            object(m, indent, out);
        } else if (v instanceof List<?> l) {
            array(l, indent, out);
        } else {
            throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        }
    }

    /** Java's shortest round-trip digits; an integral value without ".0". */
    private static String number(Object v) {
        String s = v.toString();
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static void object(Map<?, ?> m, int indent, StringBuilder out) {
        if (m.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("JSON object keys are strings, got " + e.getKey());
            }
            out.append(" ".repeat(indent + 2));
            string(key, out);
            out.append(": ");
            value(e.getValue(), indent + 2, out);
            out.append(++i < m.size() ? ",\n" : "\n");
        }
        out.append(" ".repeat(indent)).append('}');
    }

    /** Lists of scalars on one line, lists holding objects or lists one element per line. */
    private static void array(List<?> l, int indent, StringBuilder out) {
        boolean nested = l.stream().anyMatch(e -> e instanceof Map || e instanceof List);
        if (!nested) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                value(l.get(i), indent, out);
                out.append(i + 1 < l.size() ? ", " : "");
            }
            out.append(']');
            return;
        }
        out.append("[\n");
        for (int i = 0; i < l.size(); i++) {
            out.append(" ".repeat(indent + 2));
            value(l.get(i), indent + 2, out);
            out.append(i + 1 < l.size() ? ",\n" : "\n");
        }
        out.append(" ".repeat(indent)).append(']');
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}

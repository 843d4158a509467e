package xportdnn.cli;

import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Comma-separated numbers or names as one flag value ({@code --dims 3,224,224}). The flags hold these wrappers rather than
 * arrays so that picocli treats them as single-valued and the help shows {@code [--dims=C,H,W]}, not its
 * repeated-split syntax {@code [--dims=C,H,W]...}.
 */
final class CommaList {

    private CommaList() {
    }

    /** Integers; {@link #of} unwraps a flag that may be absent. */
    record Ints(int[] values) {
        static int[] of(Ints list) {
            return list == null ? null : list.values.clone();
        }
    }

    /** Numbers; {@link #of} unwraps a flag that may be absent. */
    record Floats(float[] values) {
        static float[] of(Floats list) {
            return list == null ? null : list.values.clone();
        }
    }

    /** Names, e.g. of layers; {@link #of} unwraps a flag that may be absent (as no names). */
    record Names(List<String> values) {
        static List<String> of(Names list) {
            return list == null ? List.of() : list.values;
        }
    }

    static final class IntsConverter implements ITypeConverter<Ints> {
        @Override
        public Ints convert(String value) {
            String[] parts = parts(value);
            int[] out = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    out[i] = Integer.parseInt(parts[i]);
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("'" + parts[i] + "' is not an integer");
                }
            }
            return new Ints(out);
        }
    }

    static final class FloatsConverter implements ITypeConverter<Floats> {
        @Override
        public Floats convert(String value) {
            String[] parts = parts(value);
            float[] out = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    out[i] = Float.parseFloat(parts[i]);
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("'" + parts[i] + "' is not a number");
                }
            }
            return new Floats(out);
        }
    }

    static final class NamesConverter implements ITypeConverter<Names> {
        @Override
        public Names convert(String value) {
            String[] parts = parts(value);
            for (String part : parts) {
                if (part.isEmpty()) {
                    throw new TypeConversionException("'" + value + "' has an empty name");
                }
            }
            return new Names(List.of(parts));
        }
    }

    private static String[] parts(String value) {
        String[] parts = value.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = parts[i].trim();
        }
        return parts;
    }
}

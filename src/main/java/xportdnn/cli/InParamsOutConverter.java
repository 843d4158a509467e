package xportdnn.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import xportdnn.precision.InParamsOut;

/** Parses the original tool's {@code IN,PARAMS,OUT} lists, e.g. {@code --bitwidths 8,8,8}. */
final class InParamsOutConverter implements ITypeConverter<InParamsOut> {

    @Override
    public InParamsOut convert(String value) {
        String[] parts = value.split(",", -1);
        if (parts.length != 3) {
            throw new TypeConversionException(
                    "'" + value + "' should be three comma-separated integers IN,PARAMS,OUT");
        }
        int[] n = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                n[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException(
                        "'" + parts[i].trim() + "' in '" + value + "' is not an integer (expected IN,PARAMS,OUT)");
            }
        }
        return new InParamsOut(n[0], n[1], n[2]);
    }
}

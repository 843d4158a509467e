package xportdnn.cli;

import picocli.CommandLine.ITypeConverter;
import xportdnn.precision.InParamsOut;

/** {@code --fl_bitwidths}: one Q.F for every layer (the original tool's), or {@code auto}: chosen per layer. */
record FractionalLengths(InParamsOut uniform) {

    boolean auto() {
        return uniform == null;
    }

    @Override
    public String toString() {
        return auto() ? "auto" : uniform.toString();
    }

    static final class Converter implements ITypeConverter<FractionalLengths> {
        @Override
        public FractionalLengths convert(String value) {
            return new FractionalLengths(value.trim().equals("auto") ? null : new InParamsOutConverter().convert(value));
        }
    }
}

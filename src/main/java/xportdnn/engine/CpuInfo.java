package xportdnn.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/** What /proc/cpuinfo says about the first CPU: vendor, family, clock and instruction-set flags (empty elsewhere). */
public record CpuInfo(String vendor, OptionalInt family, OptionalDouble mhz, Set<String> flags) {

    /** Parses the first processor block of a /proc/cpuinfo text. */
    public static CpuInfo parse(String cpuinfo) {
        String first = cpuinfo.split("\\R\\s*\\R", 2)[0];
        Map<String, String> fields = first.lines().filter(l -> l.contains(":"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')).strip(),
                        l -> l.substring(l.indexOf(':') + 1).strip(), (a, b) -> a));
        String flags = fields.getOrDefault("flags", "");
        return new CpuInfo(fields.getOrDefault("vendor_id", ""),
                number(fields.get("cpu family")).stream().mapToInt(d -> (int) d).findFirst(),
                number(fields.get("cpu MHz")),
                flags.isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(flags.split("\\s+"))));
    }

    /** This machine's, or an empty one where /proc/cpuinfo cannot be read. */
    public static CpuInfo read() {
        try {
            return parse(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return parse("");
        }
    }

    private static OptionalDouble number(String text) {
        try {
            return text == null ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(text));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }
}

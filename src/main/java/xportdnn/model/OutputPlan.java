package xportdnn.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files one run writes, all or nothing. Every target is checked when it is planned, before any long work:
 * not one of the run's inputs, not a folder, in a folder that exists, and not the target of another flag. At the
 * end {@link #write} writes every file to a temporary file first and moves them into place only when all were
 * written, so a failure leaves no new file and no half-written one.
 */
public final class OutputPlan {

    private final List<Path> inputs;
    private final Map<Path, String> flags = new LinkedHashMap<>(); // absolute target -> the flag that named it
    private final Map<Path, Path> given = new LinkedHashMap<>();   // absolute target -> the path as given

    /** @param inputs every file the run reads */
    public OutputPlan(Collection<Path> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    /**
     * Plans {@code target} (ignored when null) for {@code flag}.
     *
     * @throws ModelException naming the flag when the target cannot or must not be written
     */
    public OutputPlan add(String flag, Path target) {
        if (target == null) {
            return this;
        }
        Path absolute;
        try {
            absolute = OutputFile.check(target, inputs);
        } catch (ModelException e) {
            throw new ModelException(flag + ": " + e.getMessage());
        }
        String other = flags.putIfAbsent(absolute, flag);
        if (other != null) {
            throw new ModelException(flag + ": " + target + " is also the file of " + other
                    + "; give each output its own path");
        }
        given.put(absolute, target);
        return this;
    }

    /**
     * Writes the planned files whose bodies are given (a planned target without a body is not written).
     *
     * @throws ModelException when a body is for a target that was not planned, or writing fails (then no file
     *                        was changed)
     */
    public void write(Map<Path, OutputFile.Body> bodies) {
        Map<Path, Path> temps = new LinkedHashMap<>(); // absolute target -> its temporary file
        try {
            for (Map.Entry<Path, OutputFile.Body> e : bodies.entrySet()) {
                Path absolute = e.getKey().toAbsolutePath().normalize();
                if (!flags.containsKey(absolute)) {
                    throw new IllegalArgumentException(e.getKey() + " was not planned");
                }
                try {
                    temps.put(absolute, OutputFile.prepare(absolute, given.get(absolute), e.getValue()));
                } catch (ModelException failed) {
                    throw new ModelException(flags.get(absolute) + ": " + failed.getMessage(), failed);
                }
            }
        } catch (RuntimeException e) {
            temps.values().forEach(OutputFile::deleteQuietly);
            throw e;
        }
        for (Path absolute : new ArrayList<>(temps.keySet())) {
            try {
                OutputFile.moveIntoPlace(temps.remove(absolute), absolute, given.get(absolute));
            } catch (ModelException e) {
                temps.values().forEach(OutputFile::deleteQuietly);
                throw new ModelException(flags.get(absolute) + ": " + e.getMessage(), e);
            }
        }
    }
}

package xportdnn.cli;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import xportdnn.export.Json;
import xportdnn.model.OutputFile;
import xportdnn.model.OutputPlan;

/**
 * The {@code --json} and {@code --report} (HTML) files of the scoring commands (validate, compare): checked against
 * the run's inputs by the run, once it has listed its images and before its work, and written together, all or
 * nothing, after it.
 */
final class JsonAndHtml {

    private final Path json;
    private final Path html;
    private OutputPlan plan;

    /** @param json the --json file or null; @param html the --report file or null */
    JsonAndHtml(Path json, Path html) {
        this.json = json;
        this.html = html;
    }

    /** Refuses the files when one would overwrite an input or another (the run's check, before its work). */
    void check(Collection<Path> inputs) {
        plan = new OutputPlan(inputs).add("--json", json).add("--report", html);
    }

    /** Writes the files asked for; a body is built only when its file was asked for. */
    void write(Supplier<Object> tree, Supplier<String> page) {
        if (plan == null) {
            throw new IllegalStateException("outputs written without being checked against the inputs");
        }
        Map<Path, OutputFile.Body> files = new LinkedHashMap<>();
        if (json != null) {
            String text = Json.print(tree.get());
            files.put(json, out -> out.write(OutputFile.utf8(text)));
        }
        if (html != null) {
            String text = page.get();
            files.put(html, out -> out.write(OutputFile.utf8(text)));
        }
        plan.write(files);
    }
}

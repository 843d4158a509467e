package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.model.Layer;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.proto.Caffe.PrecisionParameter;

/** validate --report says what produced it and each layer's format, parsed as a reader's browser would. */
class ValidationReportCliTest {

    private static final String DEPLOY = "examples/tinynet/deploy.prototxt";
    private static final String WEIGHTS = "examples/tinynet/tinynet.caffemodel";
    private static final String VAL = "examples/tinynet/val.txt";

    @TempDir
    Path dir;

    private Document report(Path quantized, Path weights) throws Exception {
        Path html = dir.resolve("report.html");
        CliRun run = CliRun.of("validate", "--deploy_model", quantized.toString(), "--weights", weights.toString(),
                "--images", VAL, "--count", "20", "--report", html.toString(), "--quiet");
        assertEquals(0, run.status(), run.stderr());
        return Jsoup.parse(Files.readString(html));
    }

    /** The head table: what ran and when. */
    private static Map<String, String> provenance(Document page) {
        Map<String, String> rows = new LinkedHashMap<>();
        for (Element row : page.select("table.provenance tr")) {
            rows.put(row.selectFirst("th").text(), row.selectFirst("td").text());
        }
        return rows;
    }

    /** The layer table: layer name to its format cell. */
    private static Map<String, String> formats(Document page) {
        Element table = page.select("h2:containsOwn(Layers) + p + table").first();
        Map<String, String> rows = new LinkedHashMap<>();
        for (Element row : table.select("tr:has(td)")) {
            rows.put(row.child(0).text(), row.child(1).text());
        }
        return rows;
    }

    /**
     * The precision block that sets a reported layer's output: its own, or for a layer fused into the step before
     * it (an in-place ReLU), that of the layer whose output it takes.
     */
    private static PrecisionParameter block(Net net, String name) {
        Layer layer = net.layer(name);
        while (!layer.param().hasPrecisionParam()) {
            String bottom = layer.bottoms().get(0);
            Layer current = layer;
            layer = net.layers().stream().filter(l -> l != current && l.tops().contains(bottom)).findFirst()
                    .orElseThrow();
        }
        return layer.param().getPrecisionParam();
    }

    @Test
    void xilinxReportSaysWhatProducedItAndEachLayersThreshold() throws Exception {
        Path q = dir.resolve("tiny_x.prototxt");
        CliRun export = CliRun.of("--deploy_model", DEPLOY, "--weights", WEIGHTS, "--quantized_deploy_model",
                q.toString(), "--calibration_directory", "examples/tinynet/images", "--mean_value", "128,128,128",
                "--bitwidths", "8,8,8", "--quiet");
        assertEquals(0, export.status(), export.stderr());
        Document page = report(q, Path.of(WEIGHTS));
        Map<String, String> head = provenance(page);
        assertEquals(List.of("prototxt", "weights", "images", "command", "tool", "date"), List.copyOf(head.keySet()));
        assertEquals(q.toString(), head.get("prototxt"));
        assertEquals(WEIGHTS, head.get("weights"));
        assertEquals(VAL, head.get("images"));
        assertEquals("xportdnn validate --deploy_model " + q + " --weights " + WEIGHTS + " --images " + VAL
                + " --count 20 --report " + dir.resolve("report.html") + " --quiet", head.get("command"));
        assertEquals("xportdnn 0.1.0", head.get("tool"));
        assertTrue(Duration.between(Instant.parse(head.get("date")), Instant.now()).abs().toMinutes() < 10,
                head.get("date"));

        Net net = NetLoader.load(q, Path.of(WEIGHTS));
        Map<String, String> formats = formats(page);
        int checked = 0;
        for (Map.Entry<String, String> row : formats.entrySet()) {
            if (row.getValue().equals("float")) {
                continue;
            }
            PrecisionParameter p = block(net, row.getKey());
            assertEquals("threshold " + p.getThLayerOut() + " (8-bit)", row.getValue(), row.getKey());
            checked++;
        }
        assertTrue(checked >= 3, formats.toString());
        List<String> why = page.select("h3 + p").eachText();
        assertTrue(why.stream().anyMatch(w -> w.contains("lowest SQNR")), why.toString());
        assertTrue(why.stream().anyMatch(w -> w.contains("first layer with a fixed-point range")), why.toString());
        assertEquals(page.select("h3").size(), page.select("h3 + p + p > img").size(), "one chart per layer shown");
        assertTrue(page.select("img").stream().allMatch(i -> i.attr("src").startsWith("data:image/png;base64,")),
                "one self-contained file");
    }

    @Test
    void dynamicFixedReportListsEachLayersQFormat() throws Exception {
        Path q = dir.resolve("tiny_d.prototxt");
        Path folded = dir.resolve("tiny_d.caffemodel");
        CliRun export = CliRun.of("--quant_type", "DynamicFixed", "--deploy_model", DEPLOY, "--weights", WEIGHTS,
                "--quantized_deploy_model", q.toString(), "--quantized_weights", folded.toString(), "--fl_bitwidths",
                "auto", "--calibration_directory", "examples/tinynet/images", "--mean_value", "128,128,128",
                "--bitwidths", "8,8,8", "--quiet");
        assertEquals(0, export.status(), export.stderr());
        Document page = report(q, folded);
        Net net = NetLoader.load(q, folded);
        int checked = 0;
        for (Map.Entry<String, String> row : formats(page).entrySet()) {
            if (!row.getValue().equals("float")) {
                PrecisionParameter p = block(net, row.getKey());
                int fl = p.getFlLayerOut();
                assertEquals("Q" + (8 - fl) + "." + fl + " (8-bit)", row.getValue(), row.getKey());
                checked++;
            }
        }
        assertTrue(checked >= 3, formats(page).toString());
    }
}

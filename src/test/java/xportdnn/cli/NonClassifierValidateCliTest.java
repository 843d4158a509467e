package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData;
import xportdnn.pipeline.UnseenNets;

/**
 * validate on nets whose output is not one score per class: a detector's boxes, a dense score map (segmentation),
 * a one-channel map. Each is scored as its kind asks, beside the per-layer SQNR.
 */
class NonClassifierValidateCliTest {

    private static final String INPUT = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
            layer { name: "conv0" type: "Convolution" bottom: "data" top: "c0"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
            layer { name: "relu0" type: "ReLU" bottom: "c0" top: "c0" }
            """;

    /** Per-pixel scores of 4 classes at the input's 32 x 32: a segmentation head. */
    private static final String SEGMENTATION = INPUT + """
            layer { name: "score" type: "Convolution" bottom: "c0" top: "score"
                    convolution_param { num_output: 4 kernel_size: 1 } }
            """;

    /** One value per pixel: a depth or saliency map. */
    private static final String ONE_CHANNEL = INPUT + """
            layer { name: "map" type: "Convolution" bottom: "c0" top: "map"
                    convolution_param { num_output: 1 kernel_size: 1 } }
            """;

    /**
     * A small SSD: two heads (a PriorBox each, Permute/Flatten/Concat), 4 classes with locations per class
     * ({@code share_location: false}), and {@code keep_top_k: -1}, so the rows per image are the batch's largest
     * detection count and vary from batch to batch.
     */
    private static final String SSD = """
            name: "tinyssd"
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 stride: 2 } }
            layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1"
                    batch_norm_param { use_global_stats: true } }
            layer { name: "sc1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 stride: 2 } }
            layer { name: "bn2" type: "BatchNorm" bottom: "conv2" top: "conv2"
                    batch_norm_param { use_global_stats: true } }
            layer { name: "sc2" type: "Scale" bottom: "conv2" top: "conv2" scale_param { bias_term: true } }
            layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
            layer { name: "h1_loc" type: "Convolution" bottom: "conv1" top: "h1_loc"
                    convolution_param { num_output: 32 kernel_size: 1 } }
            layer { name: "h1_loc_perm" type: "Permute" bottom: "h1_loc" top: "h1_loc_perm"
                    permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "h1_loc_flat" type: "Flatten" bottom: "h1_loc_perm" top: "h1_loc_flat"
                    flatten_param { axis: 1 } }
            layer { name: "h1_conf" type: "Convolution" bottom: "conv1" top: "h1_conf"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
            layer { name: "h1_conf_perm" type: "Permute" bottom: "h1_conf" top: "h1_conf_perm"
                    permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "h1_conf_flat" type: "Flatten" bottom: "h1_conf_perm" top: "h1_conf_flat"
                    flatten_param { axis: 1 } }
            layer { name: "h1_prior" type: "PriorBox" bottom: "conv1" bottom: "data" top: "h1_prior"
                    prior_box_param { min_size: 6 max_size: 12 clip: false variance: 0.1 variance: 0.1
                        variance: 0.2 variance: 0.2 step: 2 offset: 0.5 } }
            layer { name: "h2_loc" type: "Convolution" bottom: "conv2" top: "h2_loc"
                    convolution_param { num_output: 32 kernel_size: 1 } }
            layer { name: "h2_loc_perm" type: "Permute" bottom: "h2_loc" top: "h2_loc_perm"
                    permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "h2_loc_flat" type: "Flatten" bottom: "h2_loc_perm" top: "h2_loc_flat"
                    flatten_param { axis: 1 } }
            layer { name: "h2_conf" type: "Convolution" bottom: "conv2" top: "h2_conf"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
            layer { name: "h2_conf_perm" type: "Permute" bottom: "h2_conf" top: "h2_conf_perm"
                    permute_param { order: 0 order: 2 order: 3 order: 1 } }
            layer { name: "h2_conf_flat" type: "Flatten" bottom: "h2_conf_perm" top: "h2_conf_flat"
                    flatten_param { axis: 1 } }
            layer { name: "h2_prior" type: "PriorBox" bottom: "conv2" bottom: "data" top: "h2_prior"
                    prior_box_param { min_size: 12 max_size: 24 clip: false variance: 0.1 variance: 0.1
                        variance: 0.2 variance: 0.2 step: 4 offset: 0.5 } }
            layer { name: "mbox_loc" type: "Concat" bottom: "h1_loc_flat" bottom: "h2_loc_flat" top: "mbox_loc"
                    concat_param { axis: 1 } }
            layer { name: "mbox_conf" type: "Concat" bottom: "h1_conf_flat" bottom: "h2_conf_flat" top: "mbox_conf"
                    concat_param { axis: 1 } }
            layer { name: "mbox_priorbox" type: "Concat" bottom: "h1_prior" bottom: "h2_prior" top: "mbox_priorbox"
                    concat_param { axis: 2 } }
            layer { name: "mbox_conf_reshape" type: "Reshape" bottom: "mbox_conf" top: "mbox_conf_reshape"
                    reshape_param { shape { dim: 0 dim: -1 dim: 4 } } }
            layer { name: "mbox_conf_softmax" type: "Softmax" bottom: "mbox_conf_reshape" top: "mbox_conf_softmax"
                    softmax_param { axis: 2 } }
            layer { name: "mbox_conf_flatten" type: "Flatten" bottom: "mbox_conf_softmax" top: "mbox_conf_flatten"
                    flatten_param { axis: 1 } }
            layer { name: "detection_out" type: "DetectionOutput" bottom: "mbox_loc" bottom: "mbox_conf_flatten"
                    bottom: "mbox_priorbox" top: "detection_out"
                    detection_output_param { num_classes: 4 share_location: false background_label_id: 0
                        nms_param { nms_threshold: 0.45 top_k: 100 } code_type: CENTER_SIZE keep_top_k: -1
                        confidence_threshold: 0.3 } }
            """;

    @TempDir
    Path dir;

    /** Exports {@code net} in Xilinx mode at 8 bits on the example's images; returns the quantized prototxt. */
    private Path export(UnseenNets.NetFiles net, String name) {
        Path quantized = dir.resolve(name + "_x8.prototxt");
        CliRun run = CliRun.of("--deploy_model", net.deploy().toString(), "--weights", net.weights().toString(),
                "--quantized_deploy_model", quantized.toString(), "--calibration_directory", UnseenNets.LIST,
                "--raw_scale", "1", "--bitwidths", "8,8,8", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        return quantized;
    }

    @Test
    void aSegmentationIsScoredByItsClassPerPixel() throws Exception {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "seg", SEGMENTATION, 5);
        Path quantized = export(net, "seg");
        Path json = dir.resolve("seg.json");
        Path html = dir.resolve("seg.html");
        CliRun run = CliRun.of("validate", "--deploy_model", quantized.toString(), "--weights",
                net.weights().toString(), "--images", UnseenNets.LIST, "--json", json.toString(), "--report",
                html.toString(), "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().startsWith("60 images; Xilinx fixed point\n"), run.stdout());
        assertTrue(run.stdout().contains("top channel at each position of 'score' (4 channels"), run.stdout());
        String j = Files.readString(json);
        assertTrue(j.contains("\"kind\": \"dense_scores\""), j);
        assertTrue(!j.contains("\"top1\""), "no top-1 for a map: " + j);
        // every pixel of every image is a position
        assertEquals(60 * 32 * 32, number(j, "\"positions\": ([0-9]+)"), j);
        double agreement = number(j, "\"top_channel_agreement\": ([0-9.]+)");
        assertTrue(agreement > 0.9 && agreement <= 1, "8 bits keep most pixels' class: " + agreement);
        double iou = number(j, "\"mean_iou\": ([0-9.]+)");
        assertTrue(iou > 0.5 && iou <= 1, j);
        // the output's SQNR is the score layer's own row
        assertEquals(number(j, "\"name\": \"score\",\\s*\"sqnr_db\": ([0-9.]+)"),
                number(j, "\"output\": \\{[^}]*\"sqnr_db\": ([0-9.]+)"), 1e-9, j);
        assertTrue(Files.readString(html).contains("top channel at each position"), "the report says it too");
        // a prototxt without a name: the report's title names its file
        assertTrue(Files.readString(html).contains("seg_x8.prototxt: float vs Xilinx fixed point"), "title");

        CliRun cost = CliRun.of("validate", "--deploy_model", quantized.toString(), "--weights",
                net.weights().toString(), "--images", UnseenNets.LIST, "--layer_cost", "--json",
                dir.resolve("cost.json").toString(), "--quiet");
        assertEquals(2, cost.status(), cost.stderr());
        // after the sidecar's note on the preprocessing it reads, one error line
        String error = cost.stderr().lines().reduce((a, b) -> b).orElse("");
        assertTrue(error.startsWith("xportdnn: error: --layer_cost") && error.contains("does not hold one score per "
                + "class"), cost.stderr());
        assertTrue(!Files.exists(dir.resolve("cost.json")), "nothing written");
    }

    /**
     * --blob naming a blob that later layers read (not an output the passes return): scored as its kind asks, its
     * values taken as each pass writes them. Before, an internal error ("the net returned no blob").
     */
    @Test
    void aBlobInsideTheNetIsScored() throws Exception {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "seg", SEGMENTATION, 5);
        Path quantized = export(net, "seg");
        Path json = dir.resolve("c0.json");
        CliRun run = CliRun.of("validate", "--deploy_model", quantized.toString(), "--weights",
                net.weights().toString(), "--images", UnseenNets.LIST, "--blob", "c0", "--batch", "7", "--json",
                json.toString(), "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stdout().contains("top channel at each position of 'c0' (8 channels"), run.stdout());
        String j = Files.readString(json);
        assertEquals(60 * 32 * 32, number(j, "\"positions\": ([0-9]+)"), j);
        // c0's final value is relu0's output: the same SQNR as relu0's layer row, computed apart
        assertEquals(number(j, "\"name\": \"relu0\",\\s*\"sqnr_db\": ([0-9.]+)"),
                number(j, "\"output\": \\{[^}]*\"sqnr_db\": ([0-9.]+)"), 1e-9, j);

        // a classifier's logits before its Softmax: the same top-1 as the probabilities (softmax keeps the order)
        Path tiny = dir.resolve("tiny_x8.prototxt");
        CliRun export = CliRun.of("--deploy_model", "examples/tinynet/deploy.prototxt", "--weights",
                "examples/tinynet/tinynet.caffemodel", "--quantized_deploy_model", tiny.toString(),
                "--calibration_directory", "examples/tinynet/images", "--mean_value", "128,128,128", "--bitwidths",
                "6,6,6", "--quiet");
        assertEquals(0, export.status(), export.stderr());
        String[] validate = {"validate", "--deploy_model", tiny.toString(), "--weights",
            "examples/tinynet/tinynet.caffemodel", "--images", "examples/tinynet/val.txt", "--quiet"};
        CliRun probabilities = CliRun.of(validate);
        assertEquals(0, probabilities.status(), probabilities.stderr());
        String[] withBlob = java.util.Arrays.copyOf(validate, validate.length + 2);
        withBlob[validate.length] = "--blob";
        withBlob[validate.length + 1] = "fc";
        CliRun logits = CliRun.of(withBlob);
        assertEquals(0, logits.status(), logits.stderr());
        java.util.List<String> accuracy = lines(logits.stdout(), "(float|fixed) +[0-9.]+%.*");
        assertEquals(2, accuracy.size(), logits.stdout());
        assertEquals(lines(probabilities.stdout(), "(float|fixed) +[0-9.]+%.*"), accuracy);
    }

    /**
     * --layer_cost on class scores inside the net (logits before a Softmax): the same top-1 per image as the
     * probabilities, so the same costs. Before, an internal error (a NullPointerException).
     */
    @Test
    void layerCostScoresABlobInsideTheNet() throws Exception {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "cls", INPUT + UnseenNets.CLASSIFIER_HEAD.formatted("c0")
                + "layer { name: \"prob\" type: \"Softmax\" bottom: \"fc\" top: \"prob\" }\n", 5);
        Path quantized = dir.resolve("cls_x3.prototxt");
        CliRun export = CliRun.of("--deploy_model", net.deploy().toString(), "--weights", net.weights().toString(),
                "--quantized_deploy_model", quantized.toString(), "--calibration_directory", UnseenNets.LIST,
                "--raw_scale", "1", "--mean_value", "0,0,0", "--bitwidths", "3,3,3", "--allow_any_bitwidth", "--quiet");
        assertEquals(0, export.status(), export.stderr());
        String[] validate = {"validate", "--deploy_model", quantized.toString(), "--weights",
            net.weights().toString(), "--images", UnseenNets.LIST, "--layer_cost", "--quiet", "--blob", "prob"};
        CliRun probabilities = CliRun.of(validate);
        assertEquals(0, probabilities.status(), probabilities.stderr());
        validate[validate.length - 1] = "fc";
        CliRun logits = CliRun.of(validate);
        assertEquals(0, logits.status(), logits.stderr());
        String costRow = "(relu0|pool) .*%";
        java.util.List<String> costs = lines(logits.stdout(), costRow);
        assertEquals(2, costs.size(), logits.stdout());
        assertTrue(costs.stream().anyMatch(c -> !c.endsWith("100.00%")), "3 bits change some answers: " + costs);
        assertEquals(lines(probabilities.stdout(), costRow), costs);
    }

    /** A blob the device never writes (inside a fused convolution step) is refused up front, naming the step's. */
    @Test
    void aBlobInsideAFusedStepIsRefused() throws Exception {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "chain", """
                layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }
                layer { name: "conv0" type: "Convolution" bottom: "data" top: "c0"
                        convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
                layer { name: "bn0" type: "BatchNorm" bottom: "c0" top: "b0" }
                layer { name: "sc0" type: "Scale" bottom: "b0" top: "s0" scale_param { bias_term: true } }
                layer { name: "score" type: "Convolution" bottom: "s0" top: "score"
                        convolution_param { num_output: 4 kernel_size: 1 } }
                """, 5);
        Path quantized = export(net, "chain");
        Path json = dir.resolve("c0.json");
        CliRun run = CliRun.of("validate", "--deploy_model", quantized.toString(), "--weights",
                net.weights().toString(), "--images", UnseenNets.LIST, "--blob", "c0", "--json", json.toString(),
                "--quiet");
        assertEquals(2, run.status(), run.stderr());
        String error = run.stderr().lines().reduce((a, b) -> b).orElse("");
        assertEquals("xportdnn: error: --blob: blob 'c0' is inside the fused step that ends at layer 'sc0': the "
                + "device never writes it; name that step's output blob 's0'", error, run.stderr());
        assertTrue(!Files.exists(json), "nothing written");
    }

    private static java.util.List<String> lines(String text, String regex) {
        return text.lines().filter(l -> l.matches(regex)).toList();
    }

    /** On Spark the per-position tallies of the batches merge to the same scores as on one machine. */
    @Test
    void aSegmentationScoresTheSameOnSpark() throws Exception {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "seg", SEGMENTATION, 5);
        Path quantized = export(net, "seg");
        String[] here = {"validate", "--deploy_model", quantized.toString(), "--weights", net.weights().toString(),
            "--images", UnseenNets.LIST, "--batch", "7", "--json", dir.resolve("here.json").toString(), "--quiet"};
        CliRun plain = CliRun.of(here);
        assertEquals(0, plain.status(), plain.stderr());
        String[] spark = java.util.Arrays.copyOf(here, here.length + 2);
        spark[here.length - 2] = dir.resolve("spark.json").toString();
        spark[here.length - 1] = "--quiet";
        spark[here.length] = "--spark";
        spark[here.length + 1] = "local[2]";
        CliRun distributed = CliRun.of(spark);
        assertEquals(0, distributed.status(), distributed.stderr());
        assertEquals(plain.stdout(), distributed.stdout());
        String json = Files.readString(dir.resolve("here.json"));
        assertTrue(json.contains("\"top_channel_agreement\""), json);
        assertEquals(json, Files.readString(dir.resolve("spark.json")));
    }

    @Test
    void compareScoresEachSchemeByTheOutputsKind() throws Exception {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "seg", SEGMENTATION, 5);
        Path json = dir.resolve("compare.json");
        CliRun run = CliRun.of("compare", "--deploy_model", net.deploy().toString(), "--weights",
                net.weights().toString(), "--calibration_directory", "examples/tinynet/images", "--images",
                UnseenNets.LIST, "--raw_scale", "1", "--schemes", "xilinx:8,naive:2", "--json", json.toString(),
                "--quiet");
        assertEquals(0, run.status(), run.stderr());
        // a prototxt without a name: its file's name heads the table (before, a bare ": 60 images scored")
        assertTrue(run.stdout().startsWith("seg.prototxt: 60 images scored"), run.stdout());
        assertTrue(run.stdout().contains("output SQNR (dB)") && run.stdout().contains("agreement: the share of "
                + "positions whose top channel is float's"), run.stdout());
        String j = Files.readString(json);
        assertTrue(!j.contains("\"top1\""), "no top-1 for a map: " + j);
        Matcher agreement = Pattern.compile("\"top_channel_agreement\": ([0-9.]+)").matcher(j);
        assertTrue(agreement.find());
        double eightBits = Double.parseDouble(agreement.group(1));
        assertTrue(agreement.find());
        double twoBits = Double.parseDouble(agreement.group(1));
        assertTrue(eightBits > 0.9 && twoBits < eightBits, "8 bits keep more pixels' class than 2: " + j);
    }

    @Test
    void anyOtherOutputIsScoredByItsSqnr() throws Exception {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "map", ONE_CHANNEL, 6);
        Path quantized = export(net, "map");
        Path json = dir.resolve("map.json");
        CliRun run = CliRun.of("validate", "--deploy_model", quantized.toString(), "--weights",
                net.weights().toString(), "--images", UnseenNets.LIST, "--json", json.toString(), "--quiet");
        assertEquals(0, run.status(), run.stderr());
        String j = Files.readString(json);
        assertTrue(j.contains("\"kind\": \"values\""), j);
        double sqnr = number(j, "\"output\": \\{[^}]*\"sqnr_db\": ([0-9.]+)");
        assertTrue(run.stdout().contains(String.format(java.util.Locale.ROOT, "output 'map' SQNR %.2f dB", sqnr)),
                run.stdout());
        assertTrue(sqnr > 20 && sqnr < 60, "8 bits give roughly 6 dB a bit, less a few roundings: " + sqnr);
    }

    /**
     * The shared SSD face detector at 8 bits on its two images: the float net finds the 12 faces OpenCV finds
     * (1 and 11 above 0.5, the reference's summary), and the fixed-point net finds them too.
     */
    @Test
    void aDetectorIsScoredByItsBoxes() throws Exception {
        SharedData.Model face = SharedData.Model.YUFACE;
        Path images = SharedData.require("data/faces");
        Path quantized = dir.resolve("face_x8.prototxt");
        CliRun export = CliRun.of("--deploy_model", face.prototxt().toString(), "--weights",
                face.caffemodel().toString(), "--quantized_deploy_model", quantized.toString(),
                "--calibration_directory", images.toString(), "--dims", "3,240,320", "--transpose", "2,0,1",
                "--channel_swap", "2,1,0", "--raw_scale", "255", "--mean_value", "104,117,123", "--bitwidths",
                "8,8,8", "--quiet");
        assertEquals(0, export.status(), export.stderr());
        Path json = dir.resolve("face.json");
        CliRun run = CliRun.of("validate", "--deploy_model", quantized.toString(), "--weights",
                face.caffemodel().toString(), "--images", images.toString(), "--json", json.toString(), "--quiet");
        assertEquals(0, run.status(), run.stderr());
        String j = Files.readString(json);
        assertTrue(j.contains("\"kind\": \"detections\""), j);
        assertEquals(12, number(j, "\"float\": ([0-9]+),\\s*\"fixed\""), j);
        double recall = number(j, "\"recall\": ([0-9.]+)");
        assertTrue(recall >= 11 / 12.0, "8 bits keep the faces: " + j);
        assertTrue(number(j, "\"mean_iou\": ([0-9.]+)") > 0.8, j);
        double ap = number(j, "\"average_precision\": ([0-9.]+)");
        assertTrue(ap >= 0.9 && ap <= 1, "8 bits rank the faces as float does: " + j);
        assertTrue(run.stdout().contains("detections with confidence > 0.5: 12 in float"), run.stdout());
        // the DetectionOutput's rows are different detections in the two nets: no SQNR row for them
        assertTrue(!j.contains("\"name\": \"detection_out\""), j);
    }

    /** Fast finetune on a detector says it fitted the device's input, and how to check. */
    @Test
    void fastFinetuneOnADetectorSaysWhatItFitted() {
        SharedData.Model face = SharedData.Model.YUFACE;
        Path images = SharedData.require("data/faces");
        CliRun run = CliRun.of("--deploy_model", face.prototxt().toString(), "--weights",
                face.caffemodel().toString(), "--quantized_deploy_model", dir.resolve("ff.prototxt").toString(),
                "--quantized_weights", dir.resolve("ff.caffemodel").toString(), "--fast_finetune",
                "--calibration_directory", images.toString(), "--dims", "3,240,320", "--transpose", "2,0,1",
                "--channel_swap", "2,1,0", "--raw_scale", "255", "--mean_value", "104,117,123", "--bitwidths",
                "8,8,8", "--quiet");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stderr().lines().anyMatch(l -> l.startsWith("xportdnn: note: --fast_finetune on a detector "
                + "(output 'detection_out' is SSD detections)") && l.contains("validate")), run.stderr());
    }

    /**
     * A detector whose row count varies with the batch scores the same at batch 1, 3 and 7, and its float detections
     * are the ones infer --images writes (counted here from that file's confidences).
     */
    @Test
    void aDetectorScoresTheSameInAnyBatch() throws Exception {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "ssd", SSD, 5);
        Path quantized = dir.resolve("ssd_x8.prototxt");
        CliRun export = CliRun.of("--deploy_model", net.deploy().toString(), "--weights", net.weights().toString(),
                "--quantized_deploy_model", quantized.toString(), "--calibration_directory", UnseenNets.LIST,
                "--calibration_size", "10", "--raw_scale", "1", "--mean_value", "0,0,0", "--bitwidths", "8,8,8",
                "--quiet");
        assertEquals(0, export.status(), export.stderr());
        String scores = null;
        for (String batch : new String[] {"1", "3", "7"}) {
            Path json = dir.resolve("ssd" + batch + ".json");
            CliRun run = CliRun.of("validate", "--deploy_model", quantized.toString(), "--weights",
                    net.weights().toString(), "--images", UnseenNets.LIST, "--batch", batch, "--json",
                    json.toString(), "--quiet");
            assertEquals(0, run.status(), run.stderr());
            Matcher m = Pattern.compile("\"detections\": \\{[^}]*\\}").matcher(Files.readString(json));
            assertTrue(m.find(), json.toString());
            if (scores == null) {
                scores = m.group();
            }
            assertEquals(scores, m.group(), "batch " + batch);
        }
        Path tsv = dir.resolve("ssd.tsv");
        CliRun infer = CliRun.of("infer", "--deploy_model", net.deploy().toString(), "--weights",
                net.weights().toString(), "--images", UnseenNets.LIST, "--raw_scale", "1", "--mean_value", "0,0,0",
                "--batch", "7", "--predictions", tsv.toString(), "--quiet");
        assertEquals(0, infer.status(), infer.stderr());
        long confident = Files.readAllLines(tsv).stream().skip(1)
                .filter(line -> Double.parseDouble(line.split("\t")[3]) > 0.5).count();
        assertTrue(confident > 60, "several detections per image: " + confident);
        assertEquals(confident, number(scores, "\"float\": ([0-9]+)"), scores);
    }

    /** A NaN in the input is refused, not hidden by the DetectionOutput dropping the NaN confidences it gives. */
    @Test
    void aNaNReachingADetectionOutputIsRefused() throws Exception {
        UnseenNets.NetFiles net = UnseenNets.write(dir, "ssd", SSD, 5);
        float[] values = new float[3 * 32 * 32];
        java.util.Arrays.fill(values, 0.5f);
        values[0] = Float.NaN;
        Path input = dir.resolve("nan.npy");
        xportdnn.model.Npy.write(new xportdnn.model.Blob(new int[] {1, 3, 32, 32}, values), input);
        Path output = dir.resolve("out.npy");
        CliRun run = CliRun.of("infer", "--deploy_model", net.deploy().toString(), "--weights",
                net.weights().toString(), "--input", input.toString(), "--output", output.toString());
        assertEquals(2, run.status(), run.stdout());
        assertEquals("xportdnn: error: input blob 'data' holds infinite or NaN values; an input must be finite\n",
                run.stderr());
        assertTrue(!Files.exists(output), "nothing written");
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Double.parseDouble(m.group(1));
    }
}

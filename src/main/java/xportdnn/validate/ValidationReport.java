package xportdnn.validate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import xportdnn.precision.FixedPointFormat;
import xportdnn.precision.NumberFormat;
import xportdnn.precision.ThresholdFormat;

/**
 * The {@code validate --report} page: one self-contained HTML file (charts embedded as PNG) with the accuracy
 * summary, a bar chart of every layer's SQNR, and histograms of a few layers' float outputs with the fixed-point
 * range (threshold) marked, drawn with XChart.
 */
public final class ValidationReport {

    /**
     * A layer whose float output is drawn: a sample of its values, the largest value its format holds, and why it
     * was chosen (e.g. "lowest SQNR").
     */
    public record LayerSample(String name, float[] values, double threshold, String why) {
    }

    /**
     * What produced the report, so that a page found later says what it measured.
     *
     * @param prototxt    the quantized prototxt
     * @param weights     its caffemodel
     * @param images      the image set
     * @param commandLine the command as given
     * @param tool        the tool and its version
     * @param date        when it ran (UTC, ISO 8601)
     */
    public record Provenance(String prototxt, String weights, String images, String commandLine, String tool,
                             String date) {
    }

    /** How the outputs of layers simulated in float on request are marked: they are not what the device computes. */
    public static final String FLOAT_MARK = "float (--float_layers), not what the device runs";

    private ValidationReport() {
    }

    /**
     * @param formats     each layer's fixed-point output format, by the layer it is reported as
     * @param costs       what each output costs alone ({@link LayerCost}); a chart of them when not empty
     * @param floatLayers layers simulated in float on request ({@code --float_layers}), marked as such
     */
    public static String html(String title, Provenance provenance, Validation v, ScoredOutput output,
                              Map<String, NumberFormat> formats,
                              List<LayerSample> samples, List<LayerCost.Cost> costs, Set<String> floatLayers) {
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;"
                        + "text-align:right}th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}"
                        + "img{max-width:100%}</style></head><body>\n");
        page.append("<h1>").append(escape(title)).append("</h1>\n");
        page.append(provenance(provenance));
        page.append(output.classifies() ? summary(v) : outputSummary(output, v));
        if (!floatLayers.isEmpty()) {
            page.append("<p><b>").append(escape(String.join(", ", floatLayers))).append("</b>: ")
                    .append(escape(FLOAT_MARK)).append(" (simulated in float, their output quantized for the next"
                            + " fixed-point layer).</p>\n");
        }
        page.append("<h2>Signal-to-quantization-noise ratio per layer</h2>\n<p>10 log10(sum of float values squared"
                + " / sum of (fixed - float) squared) over all images; higher is better, each 6 dB is about one bit."
                + "</p>\n");
        page.append(image(sqnrChart(v)));
        if (!costs.isEmpty()) {
            page.append("<h2>What each output costs alone</h2>\n<p>The float net run with only that layer's output"
                    + " rounded to its fixed-point format (weights and all other layers float): how many images"
                    + " change their top-1 answer. The tall bars are where the quantized net loses accuracy.</p>\n");
            page.append(image(costChart(costs)));
        }
        if (!samples.isEmpty()) {
            page.append("<h2>Float outputs and the fixed-point range</h2>\n<p>Histograms of float values of the"
                    + " first and the last layer whose precision block gives a fixed-point range, and of the two"
                    + " with the lowest SQNR (where the format loses most); the red lines mark the largest magnitude the layer's output format"
                    + " holds (values beyond are clipped). The count axis is logarithmic: an empty bin is a gap.</p>\n");
            for (LayerSample s : samples) {
                page.append("<h3>").append(escape(s.name())).append("</h3>\n<p>Chosen as the ")
                        .append(escape(s.why())).append(".</p>\n");
                page.append(image(histogram(s)));
            }
        }
        page.append(layerTable(v, formats, floatLayers));
        page.append("</body></html>\n");
        return page.toString();
    }

    private static String summary(Validation v) {
        Validation.Accuracy f = v.floatAccuracy();
        Validation.Accuracy q = v.fixedAccuracy();
        StringBuilder t = new StringBuilder("<h2>Accuracy</h2>\n<table><tr><th></th><th>top-1</th><th>top-5</th></tr>\n");
        t.append(row("float", f.top1Rate(), f.top5Rate()));
        t.append(row("fixed point", q.top1Rate(), q.top5Rate()));
        t.append(row("drop (points)", 100 * (f.top1Rate() - q.top1Rate()), 100 * (f.top5Rate() - q.top5Rate()), false));
        t.append("</table>\n<p>").append(v.images()).append(" images (").append(f.labelled())
                .append(" labelled); fixed-point top-1 equals float top-1 on ")
                .append(String.format(Locale.ROOT, "%.2f%%", 100 * v.top1Agreement())).append(" of them.</p>\n");
        Validation.TopOneDrop d = v.topOneDrop();
        if (d.labelled() > 0) {
            t.append(String.format(Locale.ROOT, "<p>Top-1 drop %.2f points, 95%% interval %.2f to %.2f (paired: %d "
                    + "images right only in float, %d only in fixed point).</p>\n", 100 * d.drop(), 100 * d.low(),
                    100 * d.high(), d.floatOnly(), d.fixedOnly()));
        }
        if (v.fixedTiedTop() > 0) {
            t.append(String.format(Locale.ROOT, "<p>In %d images (%.2f%%) two or more classes share the fixed-point "
                    + "top score: the output's step is too coarse to rank them, and the lower class id is taken.</p>\n",
                    v.fixedTiedTop(), 100.0 * v.fixedTiedTop() / v.images()));
        }
        v.wrappedAverageNotes().forEach(note -> t.append("<p>").append(escape(note)).append(".</p>\n"));
        return t.toString();
    }

    /** What was measured of an output that is not class scores ({@link OutputSummary}). */
    private static String outputSummary(ScoredOutput output, Validation v) {
        StringBuilder t = new StringBuilder("<h2>Output</h2>\n<p>").append(v.images()).append(" images.</p>\n");
        OutputSummary.lines(output, v).forEach(line -> t.append("<p>").append(escape(line)).append(".</p>\n"));
        return t.toString();
    }

    private static String row(String name, double a, double b) {
        return row(name, 100 * a, 100 * b, true);
    }

    private static String row(String name, double a, double b, boolean percent) {
        String unit = percent ? "%" : "";
        return String.format(Locale.ROOT, "<tr><td>%s</td><td>%.2f%s</td><td>%.2f%s</td></tr>%n", name, a, unit, b,
                unit);
    }

    private static String provenance(Provenance p) {
        StringBuilder t = new StringBuilder("<table class=\"provenance\">\n");
        String[][] rows = {{"prototxt", p.prototxt()}, {"weights", p.weights()}, {"images", p.images()},
            {"command", p.commandLine()}, {"tool", p.tool()}, {"date", p.date()}};
        for (String[] row : rows) {
            t.append("<tr><th>").append(row[0]).append("</th><td><code>").append(escape(row[1]))
                    .append("</code></td></tr>\n");
        }
        return t.append("</table>\n").toString();
    }

    private static String layerTable(Validation v, Map<String, NumberFormat> formats, Set<String> floatLayers) {
        StringBuilder t = new StringBuilder("<h2>Layers</h2>\n<p>Each layer's fixed-point output format: Xilinx, "
                + "the threshold (the largest magnitude) and bitwidth; DynamicFixed, Q<i>I</i>.<i>F</i> with "
                + "<i>F</i> fractional bits and <i>I</i> bits before the binary point, the sign included. A layer "
                + "without one runs in float.</p>\n<table><tr><th>layer</th><th>output format</th>"
                + "<th>SQNR (dB)</th><th>values</th></tr>\n");
        for (Validation.LayerError e : v.layers()) {
            String sqnr = Double.isFinite(e.sqnrDb()) ? String.format(Locale.ROOT, "%.2f", e.sqnrDb()) : "exact";
            String format = floatLayers.contains(e.name()) ? FLOAT_MARK : describe(formats.get(e.name()));
            t.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%d</td></tr>%n",
                    escape(e.name()), escape(format), sqnr, e.count()));
        }
        return t.append("</table>\n").toString();
    }

    /** "threshold 4.5 (8-bit)", "Q4.4 (8-bit)", or "float" without a format. */
    static String describe(NumberFormat format) {
        if (format instanceof ThresholdFormat th) {
            return (th.channels() == 1 ? ("threshold " + th.threshold(0))
                    : th.channels() + " channel thresholds") + " (" + th.bitwidth() + "-bit)";
        }
        if (format instanceof FixedPointFormat fp) {
            return "Q" + (fp.bitwidth() - fp.fractionalBits()) + "." + fp.fractionalBits() + " (" + fp.bitwidth()
                    + "-bit)";
        }
        return format == null ? "float" : format.toString();
    }

    private static CategoryChart sqnrChart(Validation v) {
        List<String> names = new ArrayList<>();
        List<Double> sqnr = new ArrayList<>();
        for (Validation.LayerError e : v.layers()) {
            if (Double.isFinite(e.sqnrDb())) { // an exact layer (e.g. the float input) has no bar to draw
                names.add(e.name());
                sqnr.add(e.sqnrDb());
            }
        }
        return barChart("SQNR per layer", "SQNR (dB)", names, sqnr, new Color(0x3b6ea8));
    }

    private static CategoryChart costChart(List<LayerCost.Cost> costs) {
        List<String> names = costs.stream().map(LayerCost.Cost::layer).toList();
        List<Double> changed = costs.stream().map(c -> 100 * (1 - c.agreement())).toList();
        return barChart("Top-1 answers changed by rounding one output alone", "images whose top-1 changes (%)", names,
                changed, new Color(0xc0504d));
    }

    private static CategoryChart barChart(String title, String yTitle, List<String> names, List<Double> values,
                                          Color color) {
        CategoryChart chart = new CategoryChartBuilder().width(1100).height(Math.max(420, 300 + 4 * names.size()))
                .title(title).xAxisTitle("layer").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setAvailableSpaceFill(0.8);
        if (!names.isEmpty()) {
            chart.addSeries(yTitle, names, values).setFillColor(color);
        }
        return chart;
    }

    private static XYChart histogram(LayerSample s) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float x : s.values()) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        lo = (float) Math.min(lo, -s.threshold());
        hi = (float) Math.max(hi, s.threshold());
        int bins = 100;
        double width = (hi - lo) / bins;
        double[] centres = new double[bins];
        double[] counts = new double[bins];
        for (int b = 0; b < bins; b++) {
            centres[b] = lo + (b + 0.5) * width;
        }
        for (float x : s.values()) {
            int b = width == 0 ? 0 : (int) Math.min(bins - 1, (x - lo) / width);
            counts[b]++;
        }
        double top = 1;
        for (double c : counts) {
            top = Math.max(top, c);
        }
        XYChart chart = new XYChartBuilder().width(1100).height(300).title(s.name()).xAxisTitle("float value")
                .yAxisTitle("count (log)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        double[][] outline = outline(lo, width, counts);
        XYSeries h = chart.addSeries("float values", outline[0], outline[1]);
        h.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        h.setMarker(SeriesMarkers.NONE);
        for (double sign : new double[] {-1, 1}) {
            XYSeries t = chart.addSeries(sign < 0 ? "-range" : String.format(Locale.ROOT, "range +-%.4g", s.threshold()),
                    new double[] {sign * s.threshold(), sign * s.threshold()}, new double[] {1, top});
            t.setMarker(SeriesMarkers.NONE);
            t.setLineColor(Color.RED);
            t.setLineStyle(new BasicStroke(2f));
            t.setShowInLegend(sign > 0);
        }
        return chart;
    }

    /**
     * The histogram's outline as x, y points: each non-empty bin's top from its left to its right edge, joined to
     * its non-empty neighbours; a NaN point (which XChart leaves undrawn) breaks the line at empty bins, so that
     * on the log axis they are gaps rather than bars down to an arbitrary floor.
     */
    static double[][] outline(double lo, double width, double[] counts) {
        List<double[]> points = new ArrayList<>();
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] > 0) {
                points.add(new double[] {lo + b * width, counts[b]});
                points.add(new double[] {lo + (b + 1) * width, counts[b]});
            } else if (b > 0 && counts[b - 1] > 0) {
                points.add(new double[] {lo + b * width, Double.NaN});
            }
        }
        double[][] xy = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            xy[0][i] = points.get(i)[0];
            xy[1][i] = points.get(i)[1];
        }
        return xy;
    }

    /** A chart as an embedded PNG paragraph, so a page stays one self-contained file. */
    public static String image(Chart<?, ?> chart) {
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            return "<p><img alt=\"" + escape(chart.getTitle()) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(png) + "\"></p>\n";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Text made safe for HTML. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

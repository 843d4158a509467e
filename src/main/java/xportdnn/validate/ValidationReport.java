package xportdnn.validate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The {@code validate --report} page: one self-contained HTML file (charts embedded as PNG) with the accuracy
 * summary, a bar chart of every layer's SQNR, and histograms of a few layers' float outputs with the fixed-point
 * range (threshold) marked, drawn with XChart.
 */
public final class ValidationReport {

    /** A layer whose float output is drawn: a sample of its values and the largest value its format holds. */
    public record LayerSample(String name, float[] values, double threshold) {
    }

    private ValidationReport() {
    }

    public static String html(String title, Validation v, List<LayerSample> samples) {
        return html(title, v, samples, List.of());
    }

    /** @param costs what each output costs alone ({@link LayerCost}); a chart of them when not empty */
    public static String html(String title, Validation v, List<LayerSample> samples, List<LayerCost.Cost> costs) {
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;"
                        + "text-align:right}th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}"
                        + "img{max-width:100%}</style></head><body>\n");
        page.append("<h1>").append(escape(title)).append("</h1>\n");
        page.append(summary(v));
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
            page.append("<h2>Float outputs and the fixed-point range</h2>\n<p>Histograms of float values; the red"
                    + " lines mark the largest magnitude the layer's output format holds (values beyond are"
                    + " clipped).</p>\n");
            for (LayerSample s : samples) {
                page.append(image(histogram(s)));
            }
        }
        page.append(layerTable(v));
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

    private static String layerTable(Validation v) {
        StringBuilder t = new StringBuilder("<h2>Layers</h2>\n<table><tr><th>layer</th><th>SQNR (dB)</th>"
                + "<th>values</th></tr>\n");
        for (Validation.LayerError e : v.layers()) {
            String sqnr = Double.isFinite(e.sqnrDb()) ? String.format(Locale.ROOT, "%.2f", e.sqnrDb()) : "exact";
            t.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%d</td></tr>%n", escape(e.name()),
                    sqnr, e.count()));
        }
        return t.append("</table>\n").toString();
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
        double[] shown = counts.clone();
        for (int b = 0; b < bins; b++) {
            shown[b] = Math.max(shown[b], 0.5); // log axis: empty bins drawn at the floor
        }
        XYSeries h = chart.addSeries("float values", centres, shown);
        h.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        h.setMarker(SeriesMarkers.NONE);
        for (double sign : new double[] {-1, 1}) {
            XYSeries t = chart.addSeries(sign < 0 ? "-range" : String.format(Locale.ROOT, "range +-%.4g", s.threshold()),
                    new double[] {sign * s.threshold(), sign * s.threshold()}, new double[] {0.5, top});
            t.setMarker(SeriesMarkers.NONE);
            t.setLineColor(Color.RED);
            t.setLineStyle(new BasicStroke(2f));
            t.setShowInLegend(sign > 0);
        }
        return chart;
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

package dev.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A scenario's figures (JSON) and latency charts (a self-contained HTML page with SVG) under target/bench/. */
final class Report {
    record Series(String label, Histogram histogram) {
    }

    record Chart(String title, List<Series> series) {
    }

    final ObjectNode figures = Env.JSON.createObjectNode();
    final List<Chart> charts = new ArrayList<>();

    /** Latency figures of a histogram of nanoseconds, in milliseconds. */
    static ObjectNode latency(Histogram h) {
        ObjectNode n = Env.JSON.createObjectNode();
        n.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) {
            return n;
        }
        n.put("p50_ms", ms(h.getValueAtPercentile(50)));
        n.put("p90_ms", ms(h.getValueAtPercentile(90)));
        n.put("p99_ms", ms(h.getValueAtPercentile(99)));
        n.put("p999_ms", ms(h.getValueAtPercentile(99.9)));
        n.put("max_ms", ms(h.getMaxValue()));
        n.put("mean_ms", Math.round(h.getMean() / 1e3) / 1e3);
        return n;
    }

    static double ms(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }

    static Histogram histogram() {
        return new Histogram(60_000_000_000L, 3);
    }

    /** Writes {@code <scenario>-<time>.json} and {@code .html}; returns the JSON path. */
    Path write(Path dir, String scenario) throws IOException {
        Files.createDirectories(dir);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path json = dir.resolve(scenario + "-" + stamp + ".json");
        Files.writeString(json, Env.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(figures));
        Files.writeString(dir.resolve(scenario + "-" + stamp + ".html"), html(scenario), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(scenario + "-latest.json"), Env.JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(figures));
        Files.writeString(dir.resolve(scenario + "-latest.html"), html(scenario), StandardCharsets.UTF_8);
        return json;
    }

    private static final String[] COLORS = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };

    /** One SVG per chart: latency (ms, log scale) by percentile (log scale of 1/(1-p)), a line per series. */
    private String html(String scenario) {
        StringBuilder out = new StringBuilder("<!doctype html><meta charset=utf-8><title>Switchboard bench: ")
                .append(scenario).append("</title><style>body{font:14px system-ui,sans-serif;margin:24px}"
                        + "pre{background:#f6f6f6;padding:12px;overflow:auto}</style><h1>Switchboard bench: ")
                .append(scenario).append("</h1>");
        for (Chart chart : charts) {
            out.append("<h2>").append(escape(chart.title())).append("</h2>").append(svg(chart));
        }
        out.append("<h2>Figures</h2><pre>").append(escape(figures.toPrettyString())).append("</pre>");
        return out.toString();
    }

    private static String svg(Chart chart) {
        int w = 900;
        int h = 420;
        int left = 70;
        int bottom = 50;
        double maxX = Math.log10(1e5); // up to p99.999
        double maxMs = 1;
        for (Series s : chart.series()) {
            if (s.histogram().getTotalCount() > 0) {
                maxMs = Math.max(maxMs, s.histogram().getMaxValue() / 1e6);
            }
        }
        double minY = -2; // 0.01 ms
        double maxY = Math.ceil(Math.log10(maxMs));
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-size='12'>", w + 220, h));
        int plotW = w - left - 10;
        int plotH = h - bottom - 10;
        for (int d = (int) minY; d <= maxY; d++) {
            double y = 10 + plotH - (d - minY) / (maxY - minY) * plotH;
            svg.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#ddd'/>"
                    + "<text x='%d' y='%.1f' text-anchor='end'>%s ms</text>", left, left + plotW, y, y, left - 6, y + 4,
                    d < 0 ? String.valueOf(Math.pow(10, d)) : String.valueOf((long) Math.pow(10, d))));
        }
        String[] labels = { "p0", "p90", "p99", "p99.9", "p99.99", "p99.999" };
        for (int i = 0; i <= 5; i++) {
            double x = left + i / maxX * plotW;
            svg.append(String.format(Locale.ROOT, "<line x1='%.1f' x2='%.1f' y1='10' y2='%d' stroke='#eee'/>"
                    + "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>", x, x, 10 + plotH, x, h - bottom + 18, labels[i]));
        }
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>percentile</text>",
                left + plotW / 2, h - 8));
        int legend = 0;
        for (int si = 0; si < chart.series().size(); si++) {
            Series s = chart.series().get(si);
            if (s.histogram().getTotalCount() == 0) {
                continue;
            }
            String color = COLORS[si % COLORS.length];
            StringBuilder points = new StringBuilder();
            for (double x = 0; x <= maxX + 1e-9; x += maxX / 200) {
                double percentile = 100 * (1 - Math.pow(10, -x));
                double value = Math.max(s.histogram().getValueAtPercentile(percentile) / 1e6, 0.01);
                double px = left + x / maxX * plotW;
                double py = 10 + plotH - (Math.log10(value) - minY) / (maxY - minY) * plotH;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            svg.append("<polyline fill='none' stroke-width='2' stroke='").append(color).append("' points='")
                    .append(points).append("'/>");
            svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='12' height='12' fill='%s'/>"
                    + "<text x='%d' y='%d'>%s</text>", w + 5, 14 + legend * 18, color, w + 22, 24 + legend * 18,
                    escape(s.label())));
            legend++;
        }
        return svg.append("</svg>").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

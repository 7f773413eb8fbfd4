package dev.bulwark.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a JMH JSON result file into a Markdown table: each benchmark with its score and, for each
 * baseline named by {@link ComparedWith}, the ratio against that baseline measured in the same
 * run.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.bulwark.benchmarks.Report results.json [out.md]}
 */
public final class Report {

  /** One JMH result row. */
  record Row(String benchmark, Map<String, String> params, String mode, double score, double error, String unit) {

    String method() {
      return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    String shortName() {
      String cls = benchmark.substring(0, benchmark.lastIndexOf('.'));
      return cls.substring(cls.lastIndexOf('.') + 1) + "." + method();
    }

    /** Higher is better for throughput modes, lower for time modes. */
    boolean higherIsBetter() {
      return "thrpt".equals(mode);
    }
  }

  private Report() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: Report <jmh-results.json> [out.md]");
      System.exit(2);
    }
    List<Row> rows = read(Path.of(args[0]));
    String table = render(rows);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.print(table);
    if (args.length == 2) {
      Files.writeString(Path.of(args[1]), table, StandardCharsets.UTF_8);
    }
  }

  static List<Row> read(Path json) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    List<Row> rows = new ArrayList<>();
    for (JsonNode r : root) {
      Map<String, String> params = new LinkedHashMap<>();
      JsonNode p = r.get("params");
      if (p != null) {
        for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
          String name = it.next();
          params.put(name, p.get(name).asText());
        }
      }
      JsonNode m = r.get("primaryMetric");
      double error = m.get("scoreError").isNumber() ? m.get("scoreError").asDouble() : Double.NaN;
      rows.add(new Row(r.get("benchmark").asText(), params, r.get("mode").asText(),
          m.get("score").asDouble(), error, m.get("scoreUnit").asText()));
    }
    return rows;
  }

  static String render(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| benchmark | params | score | unit | MiB/s | baseline | ratio |\n");
    sb.append("|---|---|---:|---|---:|---|---:|\n");
    for (Row row : rows) {
      List<String> baselines = baselinesOf(row.benchmark());
      String head = String.format(Locale.ROOT, "| %s | %s | %s ± %s | %s | %s |",
          row.shortName(), params(row.params()), num(row.score()), num(row.error()), row.unit(),
          mibPerSecond(row));
      if (baselines.isEmpty()) {
        sb.append(head).append(" — | 1.00 (baseline) |\n");
        continue;
      }
      for (String baseline : baselines) {
        Optional<Row> b = match(rows, baseline, row.params());
        String ratio = b.map(base -> ratio(row, base)).orElse("not run");
        String name = baseline.substring(baseline.lastIndexOf('.', baseline.lastIndexOf('.') - 1) + 1);
        sb.append(head).append(' ').append(name).append(" | ").append(ratio).append(" |\n");
      }
    }
    return sb.toString();
  }

  private static String ratio(Row row, Row base) {
    if (!row.mode().equals(base.mode())) {
      return "modes differ";
    }
    double r = row.higherIsBetter() ? row.score() / base.score() : base.score() / row.score();
    return String.format(Locale.ROOT, "%.2fx", r);
  }

  /** The baseline row with the same value for every parameter the two rows share. */
  private static Optional<Row> match(List<Row> rows, String baseline, Map<String, String> params) {
    return rows.stream()
        .filter(r -> r.benchmark().equals(baseline))
        .filter(r -> r.params().entrySet().stream()
            .allMatch(e -> !params.containsKey(e.getKey()) || params.get(e.getKey()).equals(e.getValue())))
        .findFirst();
  }

  private static List<String> baselinesOf(String benchmark) {
    int dot = benchmark.lastIndexOf('.');
    try {
      Class<?> cls = Class.forName(benchmark.substring(0, dot));
      for (Method m : cls.getMethods()) {
        if (m.getName().equals(benchmark.substring(dot + 1))) {
          ComparedWith c = m.getAnnotation(ComparedWith.class);
          return c == null ? List.of() : List.of(c.value());
        }
      }
    } catch (ClassNotFoundException e) {
      // A result from another jar: reported without a baseline.
    }
    return List.of();
  }

  /** Data rate for throughput rows with a {@code size} parameter in bytes; blank otherwise. */
  private static String mibPerSecond(Row row) {
    String size = row.params().get("size");
    if (size == null || !"ops/s".equals(row.unit())) {
      return "";
    }
    try {
      return String.format(Locale.ROOT, "%.1f", row.score() * Long.parseLong(size) / (1024.0 * 1024.0));
    } catch (NumberFormatException e) {
      return "";
    }
  }

  private static String params(Map<String, String> params) {
    if (params.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(v));
    return sb.toString();
  }

  private static String num(double d) {
    if (Double.isNaN(d)) {
      return "?";
    }
    if (Math.abs(d) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", d);
    }
    return String.format(Locale.ROOT, "%.3f", d);
  }
}

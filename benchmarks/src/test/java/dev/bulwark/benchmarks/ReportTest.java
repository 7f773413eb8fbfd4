package dev.bulwark.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  /** Stands in for a benchmark class: only its annotation is read. */
  public static final class Sample {
    @ComparedWith("dev.bulwark.benchmarks.ReportTest$Sample.baseline")
    public void fast() {}

    @ComparedWith("dev.bulwark.benchmarks.ReportTest$Sample.missing")
    public void orphan() {}

    public void baseline() {}
  }

  private static final String PREFIX = "dev.bulwark.benchmarks.ReportTest$Sample.";

  @Test
  void throughputRatio_pairsRowsWithEqualSharedParams(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("r.json");
    Files.writeString(json, "["
        + row("baseline", "1024", 100.0) + ","
        + row("baseline", "65536", 10.0) + ","
        + row("fast", "1024", 250.0) + ","
        + row("fast", "65536", 8.0) + ","
        + row("orphan", "1024", 1.0)
        + "]", StandardCharsets.UTF_8);

    List<Report.Row> rows = Report.read(json);
    String table = Report.render(rows);

    assertTrue(table.contains("| ReportTest$Sample.fast | size=1024 | 250 ± 1.000 | ops/s | 0.2 | ReportTest$Sample.baseline | 2.50x |"), table);
    assertTrue(table.contains("| ReportTest$Sample.fast | size=65536 | 8.000 ± 1.000 | ops/s | 0.5 | ReportTest$Sample.baseline | 0.80x |"), table);
    assertTrue(table.contains("ReportTest$Sample.missing | not run |"), table);
    assertTrue(table.contains("| ReportTest$Sample.baseline | size=1024 | 100 ± 1.000 | ops/s | 0.1 | — | 1.00 (baseline) |"), table);
  }

  @Test
  void timePerOperationRatio_isInverted(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("r.json");
    Files.writeString(json, "[" + avgt("baseline", 4.0) + "," + avgt("fast", 2.0) + "]", StandardCharsets.UTF_8);

    String table = Report.render(Report.read(json));

    assertTrue(table.contains("Sample.baseline | 2.00x |"), table);
  }

  private static String row(String method, String size, double score) {
    return "{\"benchmark\":\"" + PREFIX + method + "\",\"mode\":\"thrpt\",\"params\":{\"size\":\"" + size
        + "\"},\"primaryMetric\":{\"score\":" + score + ",\"scoreError\":1.0,\"scoreUnit\":\"ops/s\"}}";
  }

  private static String avgt(String method, double score) {
    return "{\"benchmark\":\"" + PREFIX + method + "\",\"mode\":\"avgt\","
        + "\"primaryMetric\":{\"score\":" + score + ",\"scoreError\":\"NaN\",\"scoreUnit\":\"ms/op\"}}";
  }
}

package dev.bulwark.cli;

import dev.bulwark.common.internal.DurableFiles;
import dev.bulwark.crypto.KekVersionId;
import dev.bulwark.crypto.RewrapProgress;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The bulk-rewrap checkpoint on disk: a {@link RewrapProgress} as a properties file, written
 * atomically after every page so an interrupted run resumes after the last completed page.
 */
final class RewrapState {

  private static final String FORMAT = "bulwark-rewrap-state-v1";

  private RewrapState() {}

  static Optional<RewrapProgress> read(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = new StringReader(
        new String(InputFiles.read(file, InputFiles.TEXT_FILE_MAX_BYTES), StandardCharsets.UTF_8))) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw CliException.config("cannot read rewrap state " + file + ": " + e.getMessage());
    }
    if (!FORMAT.equals(p.getProperty("format"))) {
      throw CliException.config(file + " is not a rewrap state file (delete it or use --restart)");
    }
    try {
      Map<KekVersionId, Long> deps = new TreeMap<>();
      for (String name : p.stringPropertyNames()) {
        if (name.startsWith("dependent.")) {
          String[] v = p.getProperty(name).split(" ", 3);
          deps.put(new KekVersionId(v[2], Integer.parseInt(v[0])), Long.parseLong(v[1]));
        }
      }
      String last = p.getProperty("lastId");
      return Optional.of(new RewrapProgress(Optional.ofNullable(last), num(p, "scanned"), num(p, "rewrapped"),
          num(p, "alreadyCurrent"), num(p, "failed"), deps, Boolean.parseBoolean(p.getProperty("complete"))));
    } catch (RuntimeException e) {
      throw CliException.config("rewrap state " + file + " is damaged (" + e.getMessage() + "); delete it or use --restart");
    }
  }

  private static long num(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("missing " + key);
    }
    return Long.parseLong(v);
  }

  static void write(Path file, RewrapProgress progress) {
    Properties p = new Properties();
    p.setProperty("format", FORMAT);
    progress.lastId().ifPresent(id -> p.setProperty("lastId", id));
    p.setProperty("scanned", Long.toString(progress.scanned()));
    p.setProperty("rewrapped", Long.toString(progress.rewrapped()));
    p.setProperty("alreadyCurrent", Long.toString(progress.alreadyCurrent()));
    p.setProperty("failed", Long.toString(progress.failed()));
    p.setProperty("complete", Boolean.toString(progress.complete()));
    int i = 0;
    for (Map.Entry<KekVersionId, Long> e : progress.dependents().entrySet()) {
      p.setProperty("dependent." + i++, e.getKey().version() + " " + e.getValue() + " " + e.getKey().keyringId());
    }
    StringWriter w = new StringWriter();
    try {
      p.store(w, "bulwark keys rewrap checkpoint; delete to start a new pass");
      DurableFiles.write(file, w.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CliException(ExitCode.IO_OR_CONFIG, "cannot write rewrap state " + file + ": " + e.getMessage(), e);
    }
  }
}

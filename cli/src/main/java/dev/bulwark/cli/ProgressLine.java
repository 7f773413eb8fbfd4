package dev.bulwark.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A single-line progress bar: redraws itself with a carriage return on a terminal, and prints
 * one line per update otherwise (logs and pipes get readable lines, not control characters).
 */
final class ProgressLine {

  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final boolean terminal;
  private int lastLength;
  private String lastLine = "";

  ProgressLine(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** The bar text for {@code done} of {@code total} items, followed by {@code detail}. */
  static String render(long done, long total, String detail) {
    long t = Math.max(total, 1);
    long d = Math.min(Math.max(done, 0), t);
    int filled = (int) (WIDTH * d / t);
    StringBuilder sb = new StringBuilder(WIDTH + 64).append('[');
    sb.append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
    sb.append(String.format(Locale.ROOT, "%d/%d (%3d%%)", done, total, total == 0 ? 100 : 100 * d / t));
    if (!detail.isEmpty()) {
      sb.append(' ').append(detail);
    }
    return sb.toString();
  }

  void update(long done, long total, String detail) {
    String line = render(done, total, detail);
    if (line.equals(lastLine)) {
      return;
    }
    lastLine = line;
    if (terminal) {
      out.print('\r' + line + " ".repeat(Math.max(0, lastLength - line.length())));
      lastLength = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the line on a terminal. */
  void finish() {
    if (terminal && lastLength > 0) {
      out.println();
      out.flush();
    }
  }
}

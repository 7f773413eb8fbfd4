package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

  @Test
  void render_fillsTheBarInProportion_andClampsOverruns() {
    assertEquals("[...............................] 0/10 (  0%)".replace("...............................",
        ".".repeat(30)), ProgressLine.render(0, 10, ""));
    assertEquals("[" + "#".repeat(15) + ".".repeat(15) + "] 5/10 ( 50%) x", ProgressLine.render(5, 10, "x"));
    assertEquals("[" + "#".repeat(30) + "] 12/10 (100%)", ProgressLine.render(12, 10, ""));
    assertEquals("[" + ".".repeat(30) + "] 0/0 (100%)", ProgressLine.render(0, 0, ""));
  }

  @Test
  void terminal_redrawsOneLine_pipe_printsLines_andRepeatsAreDropped() {
    StringWriter term = new StringWriter();
    ProgressLine t = new ProgressLine(new PrintWriter(term), true);
    t.update(1, 4, "");
    t.update(2, 4, "");
    t.update(2, 4, "");
    t.finish();
    assertEquals(2, term.toString().chars().filter(c -> c == '\r').count());
    assertEquals(1, term.toString().chars().filter(c -> c == '\n').count(), "one line, ended by finish()");

    StringWriter pipe = new StringWriter();
    ProgressLine p = new ProgressLine(new PrintWriter(pipe), false);
    p.update(1, 4, "");
    p.update(1, 4, "");
    p.update(4, 4, "");
    assertFalse(pipe.toString().contains("\r"));
    assertEquals(2, pipe.toString().lines().count());
    assertTrue(pipe.toString().lines().toList().get(1).contains("4/4 (100%)"));
  }
}

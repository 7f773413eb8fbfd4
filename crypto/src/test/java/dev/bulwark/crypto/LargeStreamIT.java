package dev.bulwark.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 1 GiB through streaming encryption and decryption in a child JVM limited to a 64 MiB heap. */
class LargeStreamIT {

  @Test
  void oneGibibyte_streamsThroughWithA64MiBHeap() throws Exception {
    long size = 1L << 30;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp",
        System.getProperty("java.class.path"), LargeStreamMain.class.getName(), Long.toString(size)));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "child did not finish");
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains("OK " + size + " maxHeap="), output);
    long maxHeap = Long.parseLong(output.substring(output.indexOf("maxHeap=") + 8).trim().split("\\s")[0]);
    assertTrue(maxHeap <= 64L << 20, "child heap " + maxHeap);
    assertTrue(File.pathSeparator.length() > 0);
  }
}

package dev.bulwark.audit;

import dev.bulwark.common.Bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnchorTest {

  static final String ORIGIN = "anchor.example/audit";
  final CheckpointSigner signer = CheckpointSigner.generate(ORIGIN);

  SignedCheckpoint checkpoint(long size) {
    return SignedCheckpoint.sign(new Checkpoint(ORIGIN, size, Bytes.of(new byte[32]), Bytes.of(new byte[32]), 0,
        Instant.parse("2026-01-01T00:00:00Z").plusSeconds(size)), java.util.List.of(signer));
  }

  @Test
  void directoryAnchor_returnsTheLargestCheckpoint_andNeverOverwrites(@TempDir Path dir) {
    DirectoryAnchor a = new DirectoryAnchor(dir);
    assertTrue(a.latest(ORIGIN).isEmpty());
    a.submit(checkpoint(5));
    a.submit(checkpoint(12));
    a.submit(checkpoint(7));
    a.submit(checkpoint(12));
    assertEquals(checkpoint(12).note(), a.latest(ORIGIN).orElseThrow());
    assertTrue(a.latest("other/log").isEmpty());
  }

  /** A crafted huge note (sparse: free to make) is a typed store failure, not an OutOfMemoryError. */
  @Test
  void directoryAnchor_refusesAHugeNote_withATypedFailure(@TempDir Path dir) throws Exception {
    DirectoryAnchor a = new DirectoryAnchor(dir);
    a.submit(checkpoint(5));
    Path note;
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
      note = s.filter(p -> p.getFileName().toString().endsWith(".note")).findFirst().orElseThrow();
    }
    Path huge = note.resolveSibling(String.format(java.util.Locale.ROOT, "%020d-1.note", 999L));
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(3L << 30);
    }
    AuditStoreException e = org.junit.jupiter.api.Assertions.assertThrows(AuditStoreException.class, () -> a.latest(ORIGIN));
    assertTrue(e.getMessage().contains("bytes such a file can hold"), e.getMessage());
  }

  @Test
  void syslogAnchor_sendsAnRfc5424MessageCarryingTheNote() throws Exception {
    try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      collector.setSoTimeout(10_000);
      SyslogAnchor a = new SyslogAnchor(new InetSocketAddress(InetAddress.getLoopbackAddress(), collector.getLocalPort()),
          "node 1", () -> Instant.parse("2026-01-01T00:00:00Z"));
      SignedCheckpoint cp = checkpoint(3);
      a.submit(cp);
      byte[] buf = new byte[65_536];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      collector.receive(p);
      String msg = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
      assertTrue(msg.startsWith("<85>1 2026-01-01T00:00:00Z node_1 bulwark-audit - checkpoint - origin=" + ORIGIN + " size=3 "), msg);
      String note = new String(Base64.getDecoder().decode(msg.substring(msg.indexOf("note=") + 5)), StandardCharsets.UTF_8);
      assertEquals(cp, SignedCheckpoint.parse(note));
      assertTrue(a.latest(ORIGIN).isEmpty());
    }
  }
}

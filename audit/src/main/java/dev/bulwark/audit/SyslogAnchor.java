package dev.bulwark.audit;

import dev.bulwark.audit.spi.CheckpointAnchor;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.InstantSource;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * Sends every checkpoint to a syslog collector or SIEM as one RFC 5424 message over UDP
 * (facility auth/security 10, severity notice), so a copy lands in another administrator's
 * domain. The message carries origin, size, root and the whole note in base64:
 *
 * <pre>
 * &lt;85&gt;1 2026-01-01T00:00:00Z host bulwark-audit - checkpoint - origin=... size=... root=... note=&lt;base64&gt;
 * </pre>
 *
 * <p>Write-only: {@link #latest} is empty (feed the SIEM's copy to the verifier through a
 * {@link DirectoryAnchor} or your own anchor). UDP is fire-and-forget; use it in addition to a
 * durable anchor. Thread-safe.
 */
public final class SyslogAnchor implements CheckpointAnchor {

  private final InetSocketAddress collector;
  private final String hostName;
  private final InstantSource clock;

  public SyslogAnchor(InetSocketAddress collector, String hostName) {
    this(collector, hostName, Clock.systemUTC());
  }

  public SyslogAnchor(InetSocketAddress collector, String hostName, InstantSource clock) {
    this.collector = Objects.requireNonNull(collector, "collector");
    this.hostName = dev.bulwark.audit.internal.Text.clean(Objects.requireNonNull(hostName, "hostName"), 255).replace(' ', '_');
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The RFC 5424 message for {@code cp}. */
  public String message(SignedCheckpoint cp) {
    Checkpoint c = cp.checkpoint();
    return "<85>1 " + DateTimeFormatter.ISO_INSTANT.format(clock.instant()) + " " + hostName
        + " bulwark-audit - checkpoint - origin=" + c.origin().replace(' ', '_') + " size=" + c.size()
        + " root=" + c.root().base64() + " note=" + Base64.getEncoder().encodeToString(cp.noteBytes());
  }

  @Override
  public void submit(SignedCheckpoint checkpoint) {
    byte[] msg = message(checkpoint).getBytes(StandardCharsets.UTF_8);
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.send(new DatagramPacket(msg, msg.length, collector));
    } catch (IOException e) {
      throw new AuditStoreException("cannot send checkpoint to syslog " + collector + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<String> latest(String origin) {
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "SyslogAnchor[" + collector + "]";
  }
}

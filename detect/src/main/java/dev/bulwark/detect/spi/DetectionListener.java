package dev.bulwark.detect.spi;

import dev.bulwark.detect.Assessment;

/**
 * Receives every assessment with at least one finding, on the thread that called
 * {@code Detector.assess}: the host writes it to its audit log (for Bulwark's audit log, an
 * {@code AuditEvent} per finding or per assessment, attributed to the event's account and source
 * and correlated with the request).
 *
 * <p>Implementations MUST be thread-safe and SHOULD be quick (hand off to an asynchronous append).
 * An exception is caught and counted by the detector ({@code Detector.listenerFailures()}); the
 * assessment is still returned.
 */
@FunctionalInterface
public interface DetectionListener {
  void detected(Assessment assessment);
}

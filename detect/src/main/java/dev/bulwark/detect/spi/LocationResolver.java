package dev.bulwark.detect.spi;

import dev.bulwark.detect.Location;
import java.util.Optional;

/**
 * Turns a client address into a location. Bulwark bundles no GeoIP data: the host wraps the
 * database it licenses (MaxMind, IPinfo, its CDN's headers).
 *
 * <p>Implementations MUST be thread-safe and MUST NOT return null ({@link Optional#empty()} for an
 * unknown address). An exception is caught by the detector: the event is still assessed by every
 * other detector and carries a {@code resolver_error} reason; the detector keeps running.
 */
@FunctionalInterface
public interface LocationResolver {

  /** The location of {@code address}, if known. */
  Optional<Location> locate(String address);

  /** Knows nothing: the location detectors stay silent. */
  LocationResolver NONE = address -> Optional.empty();
}

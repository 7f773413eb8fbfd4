package dev.bulwark.detect;

/**
 * Where an address is, as the host's resolver says.
 *
 * @param latitude degrees, -90..90
 * @param longitude degrees, -180..180
 * @param accuracyKm radius the resolver is confident about (GeoIP city data: tens of km; country: hundreds)
 * @param country ISO 3166-1 alpha-2 code, or null if unknown
 * @param network the network the address belongs to (an AS number, a prefix); null if unknown
 */
public record Location(double latitude, double longitude, double accuracyKm, String country, String network) {

  public Location {
    if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180)) {
      throw new IllegalArgumentException("latitude must be -90..90 and longitude -180..180");
    }
    if (!(accuracyKm >= 0) || Double.isInfinite(accuracyKm)) {
      throw new IllegalArgumentException("accuracyKm must be finite and >= 0");
    }
  }

  /** Great-circle distance in kilometres (haversine, mean Earth radius 6371 km). */
  public double distanceKm(Location o) {
    double p1 = Math.toRadians(latitude);
    double p2 = Math.toRadians(o.latitude);
    double dp = p2 - p1;
    double dl = Math.toRadians(o.longitude - longitude);
    double a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * 6371.0 * Math.asin(Math.min(1, Math.sqrt(a)));
  }
}

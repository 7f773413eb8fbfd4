package dev.bulwark.testkit.detect;

import dev.bulwark.detect.EventKind;
import dev.bulwark.detect.Location;
import dev.bulwark.detect.ActivityEvent;
import dev.bulwark.detect.spi.LocationResolver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A labelled, seeded stream of synthetic security events for measuring detectors: benign users
 * with daily patterns, typos, second factors, sessions, mobile network changes, shared office
 * addresses and trips abroad, mixed with brute force, password spraying, distributed credential
 * stuffing, impossible travel, MFA fatigue, session theft and sign-up bursts. Every event carries the truth
 * ({@link Label}). The same seed and settings always give the same stream.
 *
 * <p>Addresses follow a plan the {@link #resolver()} knows: the first octet names a city (a test
 * resolver, no GeoIP data), the first three octets a user's or attacker's network.
 *
 * <p>The first day is benign only and every user logs in on it, so the detectors start with a day
 * of history as a deployed detector would. Events come out in time order, generated one day at a time (memory stays at about one day of
 * traffic). Not thread-safe.
 */
public final class SyntheticTraffic implements Iterable<SyntheticTraffic.Labelled> {

  /** The truth about an event. */
  public enum Label {
    BENIGN, BRUTE_FORCE, PASSWORD_SPRAYING, CREDENTIAL_STUFFING, IMPOSSIBLE_TRAVEL, MFA_FATIGUE, SESSION_THEFT,
    SIGNUP_BURST
  }

  /** An event and its truth. */
  public record Labelled(ActivityEvent event, Label label) {}

  /**
   * How much traffic to make.
   *
   * @param users benign accounts
   * @param days days of traffic
   * @param bruteForce brute-force campaigns (one account, 100..400 attempts from one address)
   * @param spraying spraying campaigns (1..3 addresses, 300..1000 accounts each, one attempt per account)
   * @param stuffing stuffing campaigns (300..2000 addresses, 2000..10000 attempts in 10..40 minutes)
   * @param travel impossible-travel incidents (a login from a far city 1..3 h after the victim's)
   * @param mfaFatigue MFA-fatigue incidents (10..40 pushes in 5..15 minutes)
   * @param sessionTheft session-theft incidents (a stolen session used 3..10 times from elsewhere)
   * @param signupBursts sign-up bursts (30..150 sign-ups from one address, 3..20 s apart); benign
   *     sign-ups (users / 200 a day, a tenth from shared office addresses) come with any setting
   *     but 0 here. Sign-ups draw from a random stream of their own, so every other event is
   *     the same as with 0.
   */
  public record Settings(int users, int days, int bruteForce, int spraying, int stuffing, int travel, int mfaFatigue,
      int sessionTheft, int signupBursts) {
    /** About 1.3 million events over two weeks. */
    public static final Settings DEFAULT = new Settings(12_000, 14, 60, 20, 12, 150, 80, 150, 40);

    /** Settings without sign-ups (neither benign nor bursts). */
    public Settings(int users, int days, int bruteForce, int spraying, int stuffing, int travel, int mfaFatigue,
        int sessionTheft) {
      this(users, days, bruteForce, spraying, stuffing, travel, mfaFatigue, sessionTheft, 0);
    }
  }

  private static final String[] CITY = {"Berlin", "Paris", "London", "Madrid", "Rome", "Warsaw", "Stockholm",
      "New York", "Chicago", "Los Angeles", "Toronto", "Mexico City", "Sao Paulo", "Buenos Aires", "Lagos",
      "Nairobi", "Cairo", "Johannesburg", "Istanbul", "Moscow", "Dubai", "Mumbai", "Delhi", "Bangalore",
      "Singapore", "Jakarta", "Bangkok", "Hong Kong", "Shanghai", "Beijing", "Seoul", "Tokyo", "Sydney",
      "Melbourne", "Auckland", "Vancouver", "Lisbon", "Amsterdam", "Vienna", "Zurich"};
  private static final double[][] LATLON = {{52.52, 13.40}, {48.86, 2.35}, {51.51, -0.13}, {40.42, -3.70},
      {41.90, 12.50}, {52.23, 21.01}, {59.33, 18.07}, {40.71, -74.01}, {41.88, -87.63}, {34.05, -118.24},
      {43.65, -79.38}, {19.43, -99.13}, {-23.55, -46.63}, {-34.60, -58.38}, {6.52, 3.38}, {-1.29, 36.82},
      {30.04, 31.24}, {-26.20, 28.05}, {41.01, 28.98}, {55.76, 37.62}, {25.20, 55.27}, {19.08, 72.88},
      {28.61, 77.21}, {12.97, 77.59}, {1.35, 103.82}, {-6.21, 106.85}, {13.76, 100.50}, {22.32, 114.17},
      {31.23, 121.47}, {39.90, 116.41}, {37.57, 126.98}, {35.68, 139.69}, {-33.87, 151.21}, {-37.81, 144.96},
      {-36.85, 174.76}, {49.28, -123.12}, {38.72, -9.14}, {52.37, 4.90}, {48.21, 16.37}, {47.38, 8.54}};
  private static final String[] COUNTRY = {"DE", "FR", "GB", "ES", "IT", "PL", "SE", "US", "US", "US", "CA", "MX",
      "BR", "AR", "NG", "KE", "EG", "ZA", "TR", "RU", "AE", "IN", "IN", "IN", "SG", "ID", "TH", "HK", "CN", "CN",
      "KR", "JP", "AU", "AU", "NZ", "CA", "PT", "NL", "AT", "CH"};
  private static final String[] BROWSER = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"};
  private static final String[] TOOL = {"python-requests/2.32.3", "curl/8.5.0", "okhttp/4.12.0", "Go-http-client/1.1"};
  static final Instant START = Instant.parse("2026-11-02T00:00:00Z");
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long MIN = 60_000L;

  private final Settings settings;
  private final long seed;

  public SyntheticTraffic(Settings settings, long seed) {
    this.settings = settings;
    this.seed = seed;
  }

  /** Resolves the generator's addresses: first octet 11..50 a user's city, 60 an office, 100..199 an attacker's. */
  public static LocationResolver resolver() {
    return address -> {
      int dot = address.indexOf('.');
      if (dot <= 0) {
        return Optional.empty();
      }
      int first;
      try {
        first = Integer.parseInt(address.substring(0, dot));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      int city;
      if (first >= 11 && first <= 50) {
        city = first - 11;
      } else if (first == 60) {
        int second = address.indexOf('.', dot + 1);
        city = Integer.parseInt(address.substring(dot + 1, second)) % CITY.length;
      } else if (first >= 100 && first <= 199) {
        city = (first - 100) % CITY.length;
      } else {
        return Optional.empty();
      }
      return Optional.of(new Location(LATLON[city][0], LATLON[city][1], 25, COUNTRY[city], "AS" + (64_500 + first)));
    };
  }

  /** A benign user. */
  private static final class User {
    final String id;
    final int home;
    final String homeIp;
    final String ua;
    final String device;
    final double loginsPerDay;
    final boolean mfa;
    final boolean mobile;
    /** Trip: [tripStart, tripEnd) days abroad in city tripCity; -1 without a trip. */
    int tripStart = -1;
    int tripEnd = -1;
    int tripCity;
    /** Time and city of the latest login, so a trip never outruns an aeroplane. */
    long lastT = Long.MIN_VALUE;
    int lastCity = -1;

    User(int i, SplittableRandom r) {
      id = "user-" + i;
      home = r.nextInt(CITY.length);
      homeIp = r.nextInt(20) == 0 ? "60." + (home + CITY.length * r.nextInt(3)) + ".0.1" // 5% behind an office NAT
          : (11 + home) + "." + ((i >> 8) & 255) + "." + (i & 255) + ".1";
      ua = BROWSER[r.nextInt(BROWSER.length)];
      device = "dev-" + i + "-" + r.nextInt(1000);
      loginsPerDay = 0.5 + r.nextDouble() * 3.5;
      mfa = r.nextBoolean();
      mobile = r.nextInt(5) == 0;
    }

    int cityOn(int day) {
      return day >= tripStart && day < tripEnd ? tripCity : home;
    }

    String ipOn(int day) {
      return day >= tripStart && day < tripEnd ? (11 + tripCity) + ".250." + (id.hashCode() & 255) + ".7" : homeIp;
    }
  }

  private record Timed(long t, long order, Labelled e) implements Comparable<Timed> {
    @Override
    public int compareTo(Timed o) {
      int c = Long.compare(t, o.t);
      return c != 0 ? c : Long.compare(order, o.order);
    }
  }

  @Override
  public Iterator<Labelled> iterator() {
    return new Gen();
  }

  private final class Gen implements Iterator<Labelled> {
    final SplittableRandom r = new SplittableRandom(seed);
    /** Sign-ups only: the other events do not depend on them. */
    final SplittableRandom su = new SplittableRandom(seed ^ 0x5167_6e75_7073L);
    /** Sign-up burst starts per day. */
    final List<List<Long>> bursts = new ArrayList<>();
    final User[] users = new User[settings.users()];
    final PriorityQueue<Timed> queue = new PriorityQueue<>();
    /** Attack starts per day: {kind, time}. */
    final List<List<long[]>> attacks = new ArrayList<>();
    long order;
    int day;
    long sessions;

    Gen() {
      for (int i = 0; i < users.length; i++) {
        users[i] = new User(i, r);
        if (r.nextInt(10) == 0) { // 10% travel once
          User u = users[i];
          u.tripStart = 1 + r.nextInt(Math.max(1, settings.days() - 3));
          u.tripEnd = u.tripStart + 2 + r.nextInt(4);
          do {
            u.tripCity = r.nextInt(CITY.length);
          } while (u.tripCity == u.home);
        }
      }
      for (int d = 0; d < settings.days(); d++) {
        attacks.add(new ArrayList<>());
      }
      schedule(Label.BRUTE_FORCE, settings.bruteForce());
      schedule(Label.PASSWORD_SPRAYING, settings.spraying());
      schedule(Label.CREDENTIAL_STUFFING, settings.stuffing());
      schedule(Label.IMPOSSIBLE_TRAVEL, settings.travel());
      schedule(Label.MFA_FATIGUE, settings.mfaFatigue());
      schedule(Label.SESSION_THEFT, settings.sessionTheft());
      for (int d = 0; d < settings.days(); d++) {
        bursts.add(new ArrayList<>());
      }
      for (int i = 0; i < settings.signupBursts(); i++) {
        int d = 1 + su.nextInt(settings.days() - 1);
        bursts.get(d).add(START.toEpochMilli() + d * DAY + su.nextLong(DAY - 2 * 3_600_000L));
      }
    }

    private void schedule(Label kind, int n) {
      for (int i = 0; i < n; i++) {
        int d = 1 + r.nextInt(settings.days() - 1); // day one is benign: detectors start with a day of history
        attacks.get(d).add(new long[] {kind.ordinal(), START.toEpochMilli() + d * DAY + r.nextLong(DAY - 2 * 3_600_000L)});
      }
    }

    @Override
    public boolean hasNext() {
      while (queue.isEmpty() && day < settings.days()) {
        generateDay();
      }
      return !queue.isEmpty();
    }

    @Override
    public Labelled next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      long horizon = START.toEpochMilli() + (long) day * DAY;
      while (day < settings.days() && queue.peek().t() >= horizon) {
        generateDay();
        horizon = START.toEpochMilli() + (long) day * DAY;
      }
      return queue.poll().e();
    }

    private void emit(long t, EventKind kind, String account, String ip, String ua, String device, String session,
        Label label) {
      queue.add(new Timed(t, order++, new Labelled(
          new ActivityEvent(Instant.ofEpochMilli(t), kind, account, ip, ua, device, session), label)));
    }

    private void generateDay() {
      long dayStart = START.toEpochMilli() + day * DAY;
      for (User u : users) {
        int n = day == 0 ? Math.max(1, poisson(u.loginsPerDay)) : poisson(u.loginsPerDay); // everyone has history
        int city = u.cityOn(day);
        long tz = Math.round(LATLON[city][1] / 15.0) * 3_600_000L;
        long[] times = new long[n];
        for (int k = 0; k < n; k++) {
          double hour = r.nextInt(10) < 6 ? 9 + r.nextDouble() * 3 - 1.5 + r.nextDouble() * 1.5
              : 20 + r.nextDouble() * 4 - 2;
          long t = dayStart + (long) (hour * 3_600_000L) - tz + r.nextLong(3_600_000L);
          times[k] = Math.floorMod(t - dayStart, DAY) + dayStart;
        }
        java.util.Arrays.sort(times);
        for (long t : times) {
          if (u.lastCity >= 0 && u.lastCity != city) {
            double km = new Location(LATLON[u.lastCity][0], LATLON[u.lastCity][1], 0, null, null)
                .distanceKm(new Location(LATLON[city][0], LATLON[city][1], 0, null, null));
            long flight = (long) (km / 800 * 3_600_000L) + 2 * 3_600_000L;
            if (t < u.lastT + flight) {
              continue; // still on the way
            }
          }
          u.lastT = t;
          u.lastCity = city;
          benignLogin(u, t, u.ipOn(day));
        }
      }
      for (long[] a : attacks.get(day)) {
        attack(Label.values()[(int) a[0]], a[1]);
      }
      signups(dayStart);
      day++;
    }

    private void signups(long dayStart) {
      if (settings.signupBursts() == 0) {
        return;
      }
      int benign = settings.users() / 200;
      for (int i = 0; i < benign; i++) {
        String ip = su.nextInt(10) == 0 ? "60.0." + su.nextInt(8) + "." + (1 + su.nextInt(254))
            : (11 + su.nextInt(CITY.length)) + "." + su.nextInt(256) + "." + su.nextInt(256) + "." + (1 + su.nextInt(254));
        emit(dayStart + su.nextLong(DAY), EventKind.SIGNUP, "new-" + (order + i), ip,
            BROWSER[su.nextInt(BROWSER.length)], null, null, Label.BENIGN);
      }
      for (long t : bursts.get(day)) {
        String ip = (100 + su.nextInt(100)) + "." + su.nextInt(256) + "." + su.nextInt(256) + "." + (1 + su.nextInt(254));
        String ua = TOOL[su.nextInt(TOOL.length)];
        int n = 30 + su.nextInt(121);
        for (int i = 0; i < n; i++) {
          t += 3_000 + su.nextLong(17_000);
          emit(t, EventKind.SIGNUP, "bot-" + day + "-" + i + "-" + su.nextInt(1 << 20), ip, ua, null, null,
              Label.SIGNUP_BURST);
        }
      }
    }

    private void benignLogin(User u, long t, String ip) {
      // Typos: up to three failures, seconds apart.
      while (r.nextInt(100) < 6) {
        emit(t, EventKind.LOGIN_FAILURE, u.id, ip, u.ua, u.device, null, Label.BENIGN);
        t += 5_000 + r.nextLong(25_000);
        if (r.nextInt(100) < 15) {
          return; // gave up
        }
      }
      String session = "s-" + (sessions++);
      emit(t, EventKind.LOGIN_SUCCESS, u.id, ip, u.ua, u.device, session, Label.BENIGN);
      if (u.mfa) {
        emit(t + 1_000, EventKind.MFA_CHALLENGE, u.id, ip, u.ua, u.device, null, Label.BENIGN);
        if (r.nextInt(10) == 0) { // missed the first push
          emit(t + 40_000, EventKind.MFA_CHALLENGE, u.id, ip, u.ua, u.device, null, Label.BENIGN);
        }
        emit(t + 50_000, EventKind.MFA_SUCCESS, u.id, ip, u.ua, u.device, null, Label.BENIGN);
      }
      int uses = r.nextInt(6);
      long s = t + 60_000;
      String useIp = ip;
      for (int i = 0; i < uses; i++) {
        s += r.nextLong(15 * MIN);
        if (u.mobile && r.nextInt(4) == 0) {
          useIp = (11 + u.cityOn(day)) + ".200." + r.nextInt(256) + "." + r.nextInt(256); // carrier network changed
        }
        emit(s, EventKind.SESSION_USE, u.id, useIp, u.ua, u.device, session, Label.BENIGN);
      }
      // Incidents that ride on a real login.
      if (pendingTravel > 0 && r.nextInt(50) == 0) {
        pendingTravel--;
        int far = farCity(u.cityOn(day));
        String attacker = (100 + far) + "." + r.nextInt(256) + "." + r.nextInt(256) + ".5";
        emit(t + 3_600_000L + r.nextLong(2 * 3_600_000L), EventKind.LOGIN_SUCCESS, u.id, attacker,
            BROWSER[r.nextInt(BROWSER.length)], "dev-x" + r.nextInt(1 << 20), "s-" + (sessions++), Label.IMPOSSIBLE_TRAVEL);
      }
      if (pendingTheft > 0 && r.nextInt(50) == 0) {
        pendingTheft--;
        String attacker = (100 + r.nextInt(CITY.length)) + "." + r.nextInt(256) + "." + r.nextInt(256) + ".6";
        String ua = r.nextInt(5) == 0 ? u.ua : TOOL[r.nextInt(TOOL.length)];
        long a = t + 10 * MIN + r.nextLong(50 * MIN);
        int n = 3 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
          emit(a + i * 20_000L, EventKind.SESSION_USE, u.id, attacker, ua, null, session, Label.SESSION_THEFT);
        }
      }
    }

    int pendingTravel;
    int pendingTheft;

    private void attack(Label kind, long t) {
      switch (kind) {
        case BRUTE_FORCE -> {
          String victim = users[r.nextInt(users.length)].id;
          String ip = attackerIp();
          int n = 100 + r.nextInt(301);
          for (int i = 0; i < n; i++) {
            t += 1_000 + r.nextLong(9_000);
            emit(t, EventKind.LOGIN_FAILURE, victim, ip, TOOL[r.nextInt(TOOL.length)], null, null, Label.BRUTE_FORCE);
          }
        }
        case PASSWORD_SPRAYING -> {
          int sources = 1 + r.nextInt(3);
          for (int s = 0; s < sources; s++) {
            String ip = attackerIp();
            String ua = TOOL[r.nextInt(TOOL.length)];
            long ts = t;
            int n = 300 + r.nextInt(701);
            for (int i = 0; i < n; i++) {
              ts += 2_000 + r.nextLong(18_000);
              String account = r.nextInt(10) == 0 ? "nobody-" + r.nextInt(1 << 20) : users[r.nextInt(users.length)].id;
              emit(ts, EventKind.LOGIN_FAILURE, account, ip, ua, null, null, Label.PASSWORD_SPRAYING);
            }
          }
        }
        case CREDENTIAL_STUFFING -> {
          int sources = 300 + r.nextInt(1701);
          int n = 2_000 + r.nextInt(8_001);
          long span = (10 + r.nextInt(31)) * MIN;
          String[] ips = new String[sources];
          for (int i = 0; i < sources; i++) {
            ips[i] = attackerIp();
          }
          for (int i = 0; i < n; i++) {
            long ts = t + r.nextLong(span);
            String account = r.nextInt(5) == 0 ? "nobody-" + r.nextInt(1 << 20) : users[r.nextInt(users.length)].id;
            boolean hit = r.nextInt(100) == 0;
            emit(ts, hit ? EventKind.LOGIN_SUCCESS : EventKind.LOGIN_FAILURE, account, ips[r.nextInt(sources)],
                BROWSER[r.nextInt(BROWSER.length)], null, hit ? "s-" + (sessions++) : null, Label.CREDENTIAL_STUFFING);
          }
        }
        case IMPOSSIBLE_TRAVEL -> pendingTravel++;
        case SESSION_THEFT -> pendingTheft++;
        case MFA_FATIGUE -> {
          String victim = users[r.nextInt(users.length)].id;
          String ip = attackerIp();
          String ua = BROWSER[r.nextInt(BROWSER.length)];
          emit(t, EventKind.LOGIN_SUCCESS, victim, ip, ua, null, null, Label.MFA_FATIGUE);
          int n = 10 + r.nextInt(31);
          long span = (5 + r.nextInt(11)) * MIN;
          for (int i = 0; i < n; i++) {
            emit(t + 1_000 + i * (span / n), EventKind.MFA_CHALLENGE, victim, ip, ua, null, null, Label.MFA_FATIGUE);
          }
        }
        default -> throw new IllegalStateException(kind.name());
      }
    }

    private String attackerIp() {
      return (100 + r.nextInt(100)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
    }

    private int farCity(int from) {
      while (true) {
        int c = r.nextInt(CITY.length);
        Location a = new Location(LATLON[from][0], LATLON[from][1], 0, null, null);
        Location b = new Location(LATLON[c][0], LATLON[c][1], 0, null, null);
        if (a.distanceKm(b) > 4_000) {
          return c;
        }
      }
    }

    private int poisson(double lambda) {
      double l = Math.exp(-lambda);
      double p = 1;
      int k = 0;
      do {
        k++;
        p *= r.nextDouble();
      } while (p > l);
      return k - 1;
    }
  }
}

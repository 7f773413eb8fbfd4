package dev.bulwark.audit.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.bulwark.audit.ActorType;
import dev.bulwark.audit.AuditEvent;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.Target;
import dev.bulwark.common.internal.ByteAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The formats a SIEM reads. One mapping drives all three: an audit action maps to one OCSF class
 * and activity (Authentication 3002, Account Change 3001, Authorize Session 3003, Detection
 * Finding 2004, API Activity 6003, Application Lifecycle 6002, Web Resources Access Activity 6004,
 * Base Event 0), and ECS and CEF take their category, type and name from that class.
 *
 * <p>Rendering is deterministic: the same event (and proof) always gives the same text, so a
 * re-sent event is byte-for-byte the duplicate of the first copy and carries the same event id.
 * Each result is one line (no line break inside). Thread-safe.
 */
public enum SiemFormat {
  /** OCSF 1.3 JSON, one object per line. */
  OCSF,
  /** Elastic Common Schema JSON, one object per line. */
  ECS,
  /** ArcSight Common Event Format, one line. */
  CEF;

  /** The device version CEF names and OCSF's product carries: the version of this mapping. */
  public static final String MAPPING_VERSION = "1";
  static final String OCSF_VERSION = "1.3.0";

  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  /** The text of {@code e} in this format, one line without a line terminator. */
  public String render(ExportedEvent e) {
    Utf8Out out = new Utf8Out(2048);
    renderInto(e, out);
    return new String(out.array(), 0, out.size(), StandardCharsets.UTF_8);
  }

  /**
   * Appends the UTF-8 text of {@code e} to {@code out}: the JSON formats straight from Jackson's
   * UTF-8 generator, the proof from its parts (no intermediate {@code String} per field or line).
   */
  void renderInto(ExportedEvent e, Utf8Out out) {
    try {
      switch (this) {
        case OCSF -> ocsf(e, out);
        case ECS -> ecs(e, out);
        case CEF -> out.write(cef(e).getBytes(StandardCharsets.UTF_8));
        default -> throw new IllegalStateException();
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("writing to a buffer failed", ex); // cannot happen with a byte buffer
    }
  }

  /** The OCSF class_uid the event maps to. */
  public static int ocsfClassUid(AuditEvent event) {
    return OcsfClass.of(event.action()).classUid();
  }

  /** The OCSF type_uid ({@code class_uid * 100 + activity_id}) the event maps to. */
  public static long ocsfTypeUid(AuditEvent event) {
    return OcsfClass.of(event.action()).typeUid();
  }

  // ---- OCSF ----------------------------------------------------------------------------------

  private static void ocsf(ExportedEvent x, Utf8Out out) throws IOException {
    LoggedEvent le = x.logged();
    AuditEvent ev = le.event();
    OcsfClass c = OcsfClass.of(ev.action());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("activity_id", c.activityId());
      g.writeStringField("activity_name", c.activityName());
      g.writeNumberField("category_uid", c.categoryUid());
      g.writeStringField("category_name", c.categoryName());
      g.writeNumberField("class_uid", c.classUid());
      g.writeStringField("class_name", c.className());
      g.writeNumberField("type_uid", c.typeUid());
      g.writeStringField("type_name", c.className() + ": " + c.activityName());
      g.writeNumberField("severity_id", switch (ev.severity()) {
        case INFO -> 1;
        case WARN -> 3;
        case CRITICAL -> 5;
      });
      g.writeStringField("severity", switch (ev.severity()) {
        case INFO -> "Informational";
        case WARN -> "Medium";
        case CRITICAL -> "Critical";
      });
      g.writeNumberField("status_id", switch (ev.outcome()) {
        case SUCCESS -> 1;
        case FAILURE, DENIED -> 2;
        case ERROR -> 99;
      });
      g.writeStringField("status", switch (ev.outcome()) {
        case SUCCESS -> "Success";
        case FAILURE -> "Failure";
        case DENIED -> "Denied";
        case ERROR -> "Error";
      });
      field(g, "status_detail", ev.reason());
      g.writeNumberField("time", ev.occurredAt().toEpochMilli());
      g.writeStringField("time_dt", ISO.format(ev.occurredAt()));
      g.writeObjectFieldStart("metadata");
      g.writeStringField("uid", ev.eventId().toString());
      g.writeStringField("version", OCSF_VERSION);
      g.writeObjectFieldStart("product");
      g.writeStringField("name", "Bulwark");
      g.writeStringField("vendor_name", "Bulwark");
      g.writeStringField("version", MAPPING_VERSION);
      field(g, "uid", ev.source().app());
      g.writeEndObject();
      g.writeStringField("log_name", x.origin());
      g.writeNumberField("sequence", le.seq());
      g.writeNumberField("logged_time", le.recordedAt().toEpochMilli());
      field(g, "tenant_uid", ev.tenant());
      field(g, "correlation_uid", ev.correlationId());
      g.writeStringField("event_code", ev.action().name());
      g.writeEndObject();
      g.writeObjectFieldStart("actor");
      g.writeObjectFieldStart("user");
      g.writeStringField("uid", ev.actor().id());
      g.writeNumberField("type_id", switch (ev.actor().type()) {
        case USER -> 1;
        case SYSTEM -> 3;
        case SERVICE -> 99;
        case ANONYMOUS -> 0;
      });
      g.writeStringField("type", typeName(ev.actor().type()));
      g.writeEndObject();
      field(g, "invoked_by", ev.actor().onBehalfOf());
      g.writeEndObject();
      if (c.classUid() == OcsfClass.AUTHENTICATION || c.classUid() == OcsfClass.ACCOUNT_CHANGE) {
        g.writeObjectFieldStart("user");
        g.writeStringField("uid", subject(ev));
        g.writeEndObject();
        if (c.classUid() == OcsfClass.AUTHENTICATION && ev.actor().authMethod() != null) {
          g.writeStringField("auth_protocol", ev.actor().authMethod());
        }
      }
      if (c.classUid() == OcsfClass.DETECTION_FINDING) {
        g.writeObjectFieldStart("finding_info");
        g.writeStringField("uid", ev.eventId().toString());
        g.writeStringField("title", ev.action().name());
        g.writeEndObject();
      }
      if (ev.target() != null) {
        g.writeArrayFieldStart("resources");
        g.writeStartObject();
        g.writeStringField("type", ev.target().type());
        g.writeStringField("uid", ev.target().id());
        g.writeEndObject();
        g.writeEndArray();
      }
      if (ev.source().ip() != null) {
        g.writeObjectFieldStart("src_endpoint");
        g.writeStringField("ip", ev.source().ip());
        g.writeEndObject();
      }
      if (ev.source().userAgent() != null) {
        g.writeObjectFieldStart("http_request");
        g.writeStringField("user_agent", ev.source().userAgent());
        g.writeEndObject();
      }
      if (ev.source().host() != null) {
        g.writeObjectFieldStart("device");
        g.writeStringField("hostname", ev.source().host());
        g.writeEndObject();
      }
      if (!ev.details().isEmpty()) {
        g.writeObjectFieldStart("unmapped");
        for (Map.Entry<String, String> d : ev.details().entrySet()) {
          g.writeStringField(d.getKey(), d.getValue());
        }
        g.writeEndObject();
      }
      bulwark(g, x);
      g.writeEndObject();
    }
  }

  // ---- ECS -----------------------------------------------------------------------------------

  private static void ecs(ExportedEvent x, Utf8Out out) throws IOException {
    LoggedEvent le = x.logged();
    AuditEvent ev = le.event();
    OcsfClass c = OcsfClass.of(ev.action());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("@timestamp", ISO.format(ev.occurredAt()));
      g.writeObjectFieldStart("ecs");
      g.writeStringField("version", "8.11.0");
      g.writeEndObject();
      g.writeObjectFieldStart("event");
      g.writeStringField("id", ev.eventId().toString());
      g.writeStringField("kind", c.classUid() == OcsfClass.DETECTION_FINDING ? "alert" : "event");
      String[] cat = ecsCategory(c);
      if (cat.length > 0) {
        g.writeArrayFieldStart("category");
        g.writeString(cat[0]);
        g.writeEndArray();
        g.writeArrayFieldStart("type");
        g.writeString(cat[1]);
        g.writeEndArray();
      }
      g.writeStringField("action", ev.action().name());
      g.writeStringField("outcome", switch (ev.outcome()) {
        case SUCCESS -> "success";
        case FAILURE, DENIED -> "failure";
        case ERROR -> "unknown";
      });
      field(g, "reason", ev.reason());
      g.writeNumberField("severity", ev.severity().code());
      g.writeNumberField("sequence", le.seq());
      g.writeStringField("created", ISO.format(le.recordedAt()));
      g.writeStringField("provider", x.origin());
      g.writeStringField("dataset", "bulwark.audit");
      g.writeEndObject();
      g.writeObjectFieldStart("user");
      g.writeStringField("id", ev.actor().id());
      if (ev.target() != null && isAccount(ev.target())) {
        g.writeObjectFieldStart("target");
        g.writeStringField("id", ev.target().id());
        g.writeEndObject();
      }
      if (ev.actor().onBehalfOf() != null) {
        g.writeObjectFieldStart("effective");
        g.writeStringField("id", ev.actor().onBehalfOf());
        g.writeEndObject();
      }
      g.writeEndObject();
      if (ev.source().ip() != null) {
        g.writeObjectFieldStart("source");
        g.writeStringField("ip", ev.source().ip());
        g.writeEndObject();
      }
      if (ev.source().userAgent() != null) {
        g.writeObjectFieldStart("user_agent");
        g.writeStringField("original", ev.source().userAgent());
        g.writeEndObject();
      }
      if (ev.source().host() != null) {
        g.writeObjectFieldStart("host");
        g.writeStringField("name", ev.source().host());
        g.writeEndObject();
      }
      if (ev.source().app() != null) {
        g.writeObjectFieldStart("service");
        g.writeStringField("name", ev.source().app());
        g.writeEndObject();
      }
      if (ev.tenant() != null) {
        g.writeObjectFieldStart("organization");
        g.writeStringField("id", ev.tenant());
        g.writeEndObject();
      }
      if (ev.correlationId() != null) {
        g.writeObjectFieldStart("trace");
        g.writeStringField("id", ev.correlationId());
        g.writeEndObject();
      }
      if (!ev.details().isEmpty() || ev.target() != null || ev.actor().authMethod() != null) {
        g.writeObjectFieldStart("labels");
        if (ev.actor().authMethod() != null) {
          g.writeStringField("auth_method", ev.actor().authMethod());
        }
        if (ev.target() != null) {
          g.writeStringField("target_type", ev.target().type());
          g.writeStringField("target_id", ev.target().id());
        }
        for (Map.Entry<String, String> d : ev.details().entrySet()) {
          g.writeStringField(d.getKey(), d.getValue());
        }
        g.writeEndObject();
      }
      bulwark(g, x);
      g.writeEndObject();
    }
  }

  private static String[] ecsCategory(OcsfClass c) {
    int a = c.activityId();
    return switch (c.classUid()) {
      case OcsfClass.AUTHENTICATION -> new String[] {"authentication", a == 1 ? "start" : a == 2 ? "end" : "info"};
      case OcsfClass.ACCOUNT_CHANGE -> new String[] {"iam", a == 1 ? "creation" : a == 6 ? "deletion" : "change"};
      case OcsfClass.AUTHORIZE_SESSION -> new String[] {"iam", "change"};
      case OcsfClass.DETECTION_FINDING -> new String[] {"intrusion_detection", "indicator"};
      case OcsfClass.WEB_RESOURCES_ACCESS -> new String[] {"web", "denied"};
      case OcsfClass.API_ACTIVITY -> new String[] {"web", a == 1 ? "creation" : a == 2 ? "access" : a == 3 ? "change"
          : a == 4 ? "deletion" : "info"};
      case OcsfClass.APPLICATION_LIFECYCLE -> new String[] {"process", a == 3 ? "start" : a == 4 ? "end" : "info"};
      default -> new String[0];
    };
  }

  // ---- CEF -----------------------------------------------------------------------------------

  private static String cef(ExportedEvent x) {
    LoggedEvent le = x.logged();
    AuditEvent ev = le.event();
    OcsfClass c = OcsfClass.of(ev.action());
    StringBuilder sb = new StringBuilder(512);
    sb.append("CEF:0|Bulwark|Bulwark|").append(MAPPING_VERSION).append('|');
    header(sb, ev.action().name());
    sb.append('|');
    header(sb, c.className() + ": " + c.activityName());
    sb.append('|').append(switch (ev.severity()) {
      case INFO -> 3;
      case WARN -> 6;
      case CRITICAL -> 9;
    }).append('|');
    ext(sb, "rt", Long.toString(ev.occurredAt().toEpochMilli()));
    ext(sb, "externalId", ev.eventId().toString());
    ext(sb, "act", ev.action().name());
    ext(sb, "cat", c.className());
    ext(sb, "outcome", ev.outcome().name().toLowerCase(java.util.Locale.ROOT));
    ext(sb, "reason", ev.reason());
    ext(sb, "suser", ev.actor().id());
    if (ev.target() != null && isAccount(ev.target())) {
      ext(sb, "duser", ev.target().id());
    }
    String ip = ev.source().ip();
    if (ip != null) {
      ext(sb, IPV4.matcher(ip).matches() ? "src" : "c6a2", ip);
    }
    ext(sb, "requestClientApplication", ev.source().userAgent());
    ext(sb, "dvchost", ev.source().host());
    ext(sb, "deviceExternalId", x.origin());
    ext(sb, "cn1Label", "auditSeq");
    ext(sb, "cn1", Long.toString(le.seq()));
    ext(sb, "cn2Label", "ocsfTypeUid");
    ext(sb, "cn2", Long.toString(c.typeUid()));
    if (ev.tenant() != null) {
      ext(sb, "cs1Label", "tenant");
      ext(sb, "cs1", ev.tenant());
    }
    if (ev.correlationId() != null) {
      ext(sb, "cs2Label", "correlationId");
      ext(sb, "cs2", ev.correlationId());
    }
    if (ev.target() != null) {
      ext(sb, "cs3Label", "target");
      ext(sb, "cs3", ev.target().type() + ":" + ev.target().id());
    }
    if (!ev.details().isEmpty()) {
      StringBuilder d = new StringBuilder();
      for (Map.Entry<String, String> e : ev.details().entrySet()) {
        if (d.length() > 0) {
          d.append('&');
        }
        d.append(java.net.URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
            .append(java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      }
      ext(sb, "cs4Label", "details");
      ext(sb, "cs4", d.toString());
    }
    if (ev.actor().authMethod() != null) {
      ext(sb, "cs5Label", "authMethod");
      ext(sb, "cs5", ev.actor().authMethod());
    }
    if (x.proof() != null) {
      ext(sb, "cs6Label", "auditProof");
      ext(sb, "cs6", Base64.getEncoder().encodeToString(proofText(x.proof()).getBytes(StandardCharsets.UTF_8)));
    }
    if (sb.charAt(sb.length() - 1) == ' ') {
      sb.setLength(sb.length() - 1);
    }
    return sb.toString();
  }

  private static void header(StringBuilder sb, String v) {
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch == '\\' || ch == '|') {
        sb.append('\\');
      }
      sb.append(ch == '\n' || ch == '\r' ? ' ' : ch);
    }
  }

  private static void ext(StringBuilder sb, String key, String v) {
    if (v == null) {
      return;
    }
    sb.append(key).append('=');
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '=' -> sb.append("\\=");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> sb.append(ch);
      }
    }
    sb.append(' ');
  }

  // ---- shared --------------------------------------------------------------------------------

  /**
   * The newest checkpoint note rendered, as text and as the escaped UTF-8 of a JSON string, so the
   * thousand events a checkpoint covers share one rendering.
   */
  private record NoteCache(dev.bulwark.audit.SignedCheckpoint checkpoint, String note, byte[] json) {}

  private static volatile NoteCache lastNote;

  private static NoteCache note(dev.bulwark.audit.SignedCheckpoint checkpoint) {
    NoteCache c = lastNote;
    if (c == null || c.checkpoint() != checkpoint) {
      String note = checkpoint.note();
      Utf8Out q = new Utf8Out(note.length() + 16);
      try (JsonGenerator g = JSON.createGenerator(q)) {
        g.writeString(note);
      } catch (IOException e) {
        throw new UncheckedIOException("writing to a buffer failed", e);
      }
      byte[] quoted = q.toByteArray();
      c = new NoteCache(checkpoint, note, java.util.Arrays.copyOfRange(quoted, 1, quoted.length - 1));
      lastNote = c;
    }
    return c;
  }

  /** Exactly {@link dev.bulwark.audit.ProofBundle#text()}, with the checkpoint's note rendered once. */
  static String proofText(dev.bulwark.audit.ProofBundle p) {
    NoteCache c = note(p.checkpoint());
    StringBuilder sb = new StringBuilder(1024 + c.note().length()).append("c2sp.org/tlog-proof@v1\n")
        .append("extra ").append(p.event().base64()).append('\n')
        .append("index ").append(p.index()).append('\n');
    for (dev.bulwark.common.Bytes h : p.proof()) {
      sb.append(h.base64()).append('\n');
    }
    return sb.append('\n').append(c.note()).toString();
  }

  /** Scratch for the escaped proof of one event (the generator copies it into the line). */
  private static final ThreadLocal<Utf8Out> PROOF = ThreadLocal.withInitial(() -> new Utf8Out(4096));

  /**
   * {@link #proofText} as the escaped UTF-8 of a JSON string, written from its parts: the line
   * feeds as {@code \\n}, Base64 needs no escaping, the note's escaping is Jackson's own (cached).
   */
  private static void proofJson(dev.bulwark.audit.ProofBundle p, Utf8Out out) {
    NoteCache c = note(p.checkpoint());
    out.ascii("c2sp.org/tlog-proof@v1\\nextra ");
    out.base64(ByteAccess.array(p.event()));
    out.ascii("\\nindex ");
    out.ascii(Long.toString(p.index()));
    out.ascii("\\n");
    for (dev.bulwark.common.Bytes h : p.proof()) {
      out.base64(ByteAccess.array(h));
      out.ascii("\\n");
    }
    out.ascii("\\n");
    out.write(c.json(), 0, c.json().length);
  }

  private static void bulwark(JsonGenerator g, ExportedEvent x) throws IOException {
    g.writeObjectFieldStart("bulwark");
    g.writeStringField("origin", x.origin());
    g.writeNumberField("seq", x.logged().seq());
    if (x.proof() != null) {
      g.writeNumberField("checkpoint_size", x.proof().checkpoint().checkpoint().size());
      g.writeFieldName("proof");
      Utf8Out p = PROOF.get();
      p.reset();
      proofJson(x.proof(), p);
      g.writeRawUTF8String(p.array(), 0, p.size());
    }
    g.writeEndObject();
  }

  private static void field(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  private static String typeName(ActorType t) {
    return switch (t) {
      case USER -> "User";
      case SYSTEM -> "System";
      case SERVICE -> "Service";
      case ANONYMOUS -> "Unknown";
    };
  }

  private static boolean isAccount(Target t) {
    return t.type().equals("user") || t.type().equals("account");
  }

  /** The account an authentication or account change is about: the target account, else the actor. */
  private static String subject(AuditEvent ev) {
    return ev.target() != null && isAccount(ev.target()) ? ev.target().id() : ev.actor().id();
  }

  static String iso(Instant t) {
    return ISO.format(t);
  }
}

package dev.bulwark.authz;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.bulwark.authz.internal.PolicyValidator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads and writes the policy file: JSON a reviewer can diff, one fact per line when written by
 * {@link #write}. The format (every key is optional except {@code version}; unknown keys and
 * duplicate keys are errors):
 *
 * <pre>{@code
 * {
 *   "version": "2026-12-01.1",
 *   "resourceTypes": { "document": ["read", "write", "delete"], "folder": ["read"] },
 *   "roles": {
 *     "viewer": { "permissions": ["document:read", "folder:read"] },
 *     "editor": { "permissions": ["document:write"], "inherits": ["viewer"] }
 *   },
 *   "groups": { "engineering": ["user:alice", "service:ci"] },
 *   "denies": [
 *     { "id": "no-legal-delete", "principal": "group:engineering", "permission": "document:delete",
 *       "tenant": "acme", "scope": { "subtree": "folder:legal" } }
 *   ],
 *   "bindings": [
 *     { "id": "b1", "principal": "user:alice", "role": "editor", "tenant": "acme",
 *       "scope": "organization", "reviewBy": "2027-03-01T00:00:00Z" },
 *     { "id": "b2", "principal": "user:bob", "role": "viewer", "tenant": "acme",
 *       "scope": { "resource": "document:d-17" },
 *       "notBefore": "2026-12-01T09:00:00Z", "notAfter": "2026-12-01T17:00:00Z" }
 *   ]
 * }
 * }</pre>
 *
 * <p>Names of types, actions and roles match {@code [a-z][a-z0-9_.-]{0,63}}; ids are any
 * printable text up to 256 characters; times are ISO-8601 instants. A file larger than 16 MiB
 * or nested deeper than 16 levels is refused. Every error is a {@link PolicyException} with the
 * path and the line and column.
 */
public final class PolicyJson {

  /** Largest accepted file. */
  public static final int MAX_BYTES = 16 * 1024 * 1024;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(4096)
          .maxNumberLength(32).build())
      .build();

  private PolicyJson() {}

  /** Parses and validates a policy file. Reads at most {@link #MAX_BYTES} + 1 bytes. */
  public static Policy parse(InputStream in) throws IOException, PolicyException {
    byte[] bytes = in.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw new PolicyException("policy file is larger than " + MAX_BYTES + " bytes", "$", 0, 0);
    }
    return parse(bytes);
  }

  /** Parses and validates a policy document. */
  public static Policy parse(String json) throws PolicyException {
    return parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static Policy parse(byte[] json) throws PolicyException {
    Reader r = new Reader();
    Policy p;
    try (JsonParser parser = FACTORY.createParser(json)) {
      r.parser = parser;
      p = r.policy();
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      String msg = e.getOriginalMessage();
      throw new PolicyException("malformed JSON: " + firstLine(msg), r.path, l == null ? 0 : l.getLineNr(),
          l == null ? 0 : l.getColumnNr());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      PolicyValidator.validate(p);
    } catch (PolicyException e) {
      String path = e.path();
      String original = e.getMessage().substring(0, e.getMessage().lastIndexOf(" at "));
      while (true) {
        JsonLocation l = r.locations.get(path);
        if (l != null) {
          throw new PolicyException(original, e.path(), l.getLineNr(), l.getColumnNr());
        }
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        if (cut <= 0) {
          throw e;
        }
        path = path.substring(0, cut);
      }
    }
    return p;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable input";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static final class Reader {
    JsonParser parser;
    String path = "$";
    final Map<String, JsonLocation> locations = new HashMap<>();

    private PolicyException error(String message) {
      JsonLocation l = parser.currentTokenLocation();
      return new PolicyException(message, path, l.getLineNr(), l.getColumnNr());
    }

    private void at(String p) {
      path = p;
      locations.putIfAbsent(p, parser.currentTokenLocation());
    }

    Policy policy() throws IOException, PolicyException {
      expect(parser.nextToken(), JsonToken.START_OBJECT, "a policy object");
      String version = null;
      Map<String, Set<String>> types = new LinkedHashMap<>();
      Map<String, Role> roles = new LinkedHashMap<>();
      Map<String, Set<Principal>> groups = new LinkedHashMap<>();
      List<DenyRule> denies = new ArrayList<>();
      List<Binding> bindings = new ArrayList<>();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        at(field);
        switch (field) {
          case "version":
            version = text("the policy version");
            break;
          case "resourceTypes":
            object(name -> types.put(name, names("actions")));
            break;
          case "roles":
            object(name -> roles.put(name, role(name)));
            break;
          case "groups":
            object(name -> groups.put(name, principals()));
            break;
          case "denies":
            array(i -> denies.add(deny()));
            break;
          case "bindings":
            array(i -> bindings.add(binding()));
            break;
          default:
            throw error("unknown key '" + field + "'");
        }
      }
      if (parser.nextToken() != null) {
        throw error("content after the policy object");
      }
      path = "$";
      if (version == null) {
        throw error("the policy has no \"version\"");
      }
      try {
        return new Policy(version, types, roles, groups, denies, bindings);
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage());
      }
    }

    @FunctionalInterface
    private interface Entry {
      void read(String key) throws IOException, PolicyException;
    }

    @FunctionalInterface
    private interface Item {
      void read(int index) throws IOException, PolicyException;
    }

    private void object(Entry e) throws IOException, PolicyException {
      expect(parser.currentToken(), JsonToken.START_OBJECT, "an object");
      String base = path;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        parser.nextToken();
        at(base + "." + key);
        e.read(key);
      }
      path = base;
    }

    private void array(Item item) throws IOException, PolicyException {
      expect(parser.currentToken(), JsonToken.START_ARRAY, "an array");
      String base = path;
      int i = 0;
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        at(base + "[" + i + "]");
        item.read(i++);
      }
      path = base;
    }

    private void expect(JsonToken actual, JsonToken wanted, String what) throws PolicyException {
      if (actual != wanted) {
        throw error("expected " + what);
      }
    }

    private String text(String what) throws PolicyException, IOException {
      if (parser.currentToken() != JsonToken.VALUE_STRING) {
        throw error("expected a string: " + what);
      }
      return parser.getText();
    }

    private Set<String> names(String what) throws IOException, PolicyException {
      Set<String> out = new LinkedHashSet<>();
      array(i -> {
        String s = text(what);
        if (!out.add(s)) {
          throw error("duplicate entry '" + s + "'");
        }
      });
      return out;
    }

    private Set<Principal> principals() throws IOException, PolicyException {
      Set<Principal> out = new LinkedHashSet<>();
      array(i -> out.add(principal()));
      return out;
    }

    private Principal principal() throws IOException, PolicyException {
      try {
        return Principal.parse(text("a principal (user:, service: or group:)"));
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage());
      }
    }

    private Permission permission() throws IOException, PolicyException {
      try {
        return Permission.parse(text("a permission (type:action)"));
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage());
      }
    }

    private Role role(String name) throws IOException, PolicyException {
      Set<Permission> perms = new LinkedHashSet<>();
      Set<String> inherits = new LinkedHashSet<>();
      String base = path;
      expect(parser.currentToken(), JsonToken.START_OBJECT, "a role object");
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        parser.nextToken();
        at(base + "." + key);
        if (key.equals("permissions")) {
          array(i -> perms.add(permission()));
        } else if (key.equals("inherits")) {
          inherits.addAll(names("role names"));
        } else {
          throw error("unknown key '" + key + "' (a role has permissions and inherits)");
        }
      }
      path = base;
      try {
        return new Role(name, perms, inherits);
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage());
      }
    }

    private Scope scope() throws IOException, PolicyException {
      if (parser.currentToken() == JsonToken.VALUE_STRING && "organization".equals(parser.getText())) {
        return Scope.organization();
      }
      expect(parser.currentToken(), JsonToken.START_OBJECT,
          "\"organization\" or {\"resource\": \"type:id\"} or {\"subtree\": \"type:id\"}");
      if (parser.nextToken() != JsonToken.FIELD_NAME) {
        throw error("a scope object names resource or subtree");
      }
      String kind = parser.currentName();
      parser.nextToken();
      String key = text("type:id");
      int colon = key.indexOf(':');
      if (colon <= 0 || !(kind.equals("resource") || kind.equals("subtree"))) {
        throw error("a scope is {\"resource\": \"type:id\"} or {\"subtree\": \"type:id\"}");
      }
      if (parser.nextToken() != JsonToken.END_OBJECT) {
        throw error("a scope object has exactly one key");
      }
      try {
        String type = key.substring(0, colon);
        String id = key.substring(colon + 1);
        return kind.equals("resource") ? Scope.resource(type, id) : Scope.subtree(type, id);
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage());
      }
    }

    private Instant instant() throws IOException, PolicyException {
      String s = text("an ISO-8601 instant");
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw error("not an ISO-8601 instant (2026-12-01T09:00:00Z)");
      }
    }

    private DenyRule deny() throws IOException, PolicyException {
      Map<String, Object> f = fields(Set.of("id", "principal", "permission", "tenant", "scope"));
      try {
        return new DenyRule(req(f, "id"), (Principal) req(f, "principal"), (Permission) req(f, "permission"),
            req(f, "tenant"), f.containsKey("scope") ? (Scope) f.get("scope") : Scope.organization());
      } catch (IllegalArgumentException | ClassCastException e) {
        throw error(e.getMessage());
      }
    }

    private Binding binding() throws IOException, PolicyException {
      Map<String, Object> f = fields(Set.of("id", "principal", "role", "tenant", "scope", "notBefore", "notAfter",
          "reviewBy"));
      try {
        return new Binding(req(f, "id"), (Principal) req(f, "principal"), req(f, "role"), req(f, "tenant"),
            f.containsKey("scope") ? (Scope) f.get("scope") : Scope.organization(),
            Optional.ofNullable((Instant) f.get("notBefore")), Optional.ofNullable((Instant) f.get("notAfter")),
            Optional.ofNullable((Instant) f.get("reviewBy")));
      } catch (IllegalArgumentException | ClassCastException e) {
        throw error(e.getMessage());
      }
    }

    @SuppressWarnings("unchecked")
    private <T> T req(Map<String, Object> f, String key) {
      Object v = f.get(key);
      if (v == null) {
        throw new IllegalArgumentException("missing \"" + key + "\"");
      }
      return (T) v;
    }

    private Map<String, Object> fields(Set<String> allowed) throws IOException, PolicyException {
      expect(parser.currentToken(), JsonToken.START_OBJECT, "an object");
      String base = path;
      Map<String, Object> out = new HashMap<>();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        parser.nextToken();
        at(base + "." + key);
        if (!allowed.contains(key)) {
          throw error("unknown key '" + key + "' (allowed: " + String.join(", ", new TreeSet<>(allowed)) + ")");
        }
        switch (key) {
          case "principal":
            out.put(key, principal());
            break;
          case "permission":
            out.put(key, permission());
            break;
          case "scope":
            out.put(key, scope());
            break;
          case "notBefore":
          case "notAfter":
          case "reviewBy":
            out.put(key, instant());
            break;
          default:
            out.put(key, text(key));
        }
      }
      path = base;
      return out;
    }
  }

  /** The policy as a stable, diffable document (keys and lists sorted; one fact per line). */
  public static String write(Policy p) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("version", p.version());
      g.writeObjectFieldStart("resourceTypes");
      for (Map.Entry<String, Set<String>> e : new TreeMap<>(p.resourceTypes()).entrySet()) {
        g.writeArrayFieldStart(e.getKey());
        for (String a : new TreeSet<>(e.getValue())) {
          g.writeString(a);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
      g.writeObjectFieldStart("roles");
      for (Role r : new TreeMap<>(p.roles()).values()) {
        g.writeObjectFieldStart(r.name());
        g.writeArrayFieldStart("permissions");
        for (String s : new TreeSet<>(r.permissions().stream().map(Permission::toString).toList())) {
          g.writeString(s);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("inherits");
        for (String s : new TreeSet<>(r.inherits())) {
          g.writeString(s);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeObjectFieldStart("groups");
      for (Map.Entry<String, Set<Principal>> e : new TreeMap<>(p.groups()).entrySet()) {
        g.writeArrayFieldStart(e.getKey());
        for (String s : new TreeSet<>(e.getValue().stream().map(Principal::toString).toList())) {
          g.writeString(s);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
      g.writeArrayFieldStart("denies");
      for (DenyRule d : p.denies()) {
        g.writeStartObject();
        g.writeStringField("id", d.id());
        g.writeStringField("principal", d.principal().toString());
        g.writeStringField("permission", d.permission().toString());
        g.writeStringField("tenant", d.tenant());
        writeScope(g, d.scope());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("bindings");
      for (Binding b : p.bindings()) {
        writeBinding(g, b);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8) + "\n";
  }

  private static void writeBinding(JsonGenerator g, Binding b) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", b.id());
    g.writeStringField("principal", b.principal().toString());
    g.writeStringField("role", b.role());
    g.writeStringField("tenant", b.tenant());
    writeScope(g, b.scope());
    if (b.notBefore().isPresent()) {
      g.writeStringField("notBefore", b.notBefore().get().toString());
    }
    if (b.notAfter().isPresent()) {
      g.writeStringField("notAfter", b.notAfter().get().toString());
    }
    if (b.reviewBy().isPresent()) {
      g.writeStringField("reviewBy", b.reviewBy().get().toString());
    }
    g.writeEndObject();
  }

  private static void writeScope(JsonGenerator g, Scope s) throws IOException {
    if (s.kind() == Scope.Kind.ORGANIZATION) {
      g.writeStringField("scope", "organization");
    } else {
      g.writeObjectFieldStart("scope");
      g.writeStringField(s.kind() == Scope.Kind.RESOURCE ? "resource" : "subtree", s.resourceKey().orElseThrow());
      g.writeEndObject();
    }
  }
}

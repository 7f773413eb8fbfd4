package dev.bulwark.authn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of bulwark-authn names no foreign type: no public or protected signature of a
 * class in an exported package (every package but {@code ..internal..}) mentions a Yubico, Nimbus
 * or Caffeine type, so a host can upgrade or replace those libraries without recompiling, and the
 * adapters stay inside Bulwark.
 */
class ForeignTypesTest {

  private static final List<String> FOREIGN = List.of("com.yubico.", "com.nimbusds.", "com.github.benmanes.");

  @Test
  void noPublicSignatureOfAnExportedPackageNamesAForeignType() throws Exception {
    List<Class<?>> classes = apiClasses();
    assertTrue(classes.size() > 50, "scanned " + classes.size() + " classes");
    Set<String> found = new TreeSet<>();
    for (Class<?> c : classes) {
      found.addAll(foreignIn(c));
    }
    assertEquals(Set.of(), found);
  }

  @Test
  void theCheckFindsAForeignTypeInEveryKindOfSignature() {
    assertFalse(foreignIn(Leaky.class).isEmpty());
    assertEquals(8, foreignIn(Leaky.class).size(), foreignIn(Leaky.class).toString());
    assertEquals(Set.of(), foreignIn(Clean.class));
  }

  /** A class leaking foreign types in each place the check looks at. */
  public abstract static class Leaky extends java.util.AbstractList<com.yubico.webauthn.data.ByteArray> {
    public com.nimbusds.jwt.JWTClaimsSet field;

    public Leaky(com.yubico.webauthn.data.ByteArray a) {}

    public java.util.Optional<com.yubico.webauthn.data.ByteArray> returns() {
      return java.util.Optional.empty();
    }

    protected void takes(java.util.Map<String, ? extends com.nimbusds.jose.jwk.JWK> keys) {}

    public <T extends com.github.benmanes.caffeine.cache.Cache<String, String>> void bound(T t) {}

    public void arrays(com.yubico.webauthn.data.ByteArray[][] a) {}

    private void hidden(com.yubico.webauthn.data.ByteArray a) {}
  }

  /** The same shapes with JDK types only. */
  public abstract static class Clean extends java.util.AbstractList<String> {
    public byte[] field;

    public java.util.Optional<byte[]> returns() {
      return java.util.Optional.empty();
    }

    private void hidden(com.yubico.webauthn.data.ByteArray a) {}
  }

  static Set<String> foreignIn(Class<?> c) {
    Set<String> found = new TreeSet<>();
    if (!visible(c.getModifiers())) {
      return found;
    }
    String owner = c.getName();
    check(owner + " extends", c.getGenericSuperclass(), found);
    for (Type t : c.getGenericInterfaces()) {
      check(owner + " implements", t, found);
    }
    for (TypeVariable<?> v : c.getTypeParameters()) {
      check(owner + " type parameter", v, found);
    }
    if (c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) {
        check(owner + "." + rc.getName(), rc.getGenericType(), found);
      }
    }
    for (Field f : c.getDeclaredFields()) {
      if (visible(f.getModifiers())) {
        check(owner + "." + f.getName(), f.getGenericType(), found);
      }
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k.getModifiers())) {
        for (Type t : k.getGenericParameterTypes()) {
          check(owner + ".<init>", t, found);
        }
        for (Type t : k.getGenericExceptionTypes()) {
          check(owner + ".<init> throws", t, found);
        }
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (!visible(m.getModifiers()) || m.isSynthetic() || m.isBridge()) {
        continue;
      }
      String where = owner + "." + m.getName();
      check(where + " returns", m.getGenericReturnType(), found);
      for (Type t : m.getGenericParameterTypes()) {
        check(where, t, found);
      }
      for (Type t : m.getGenericExceptionTypes()) {
        check(where + " throws", t, found);
      }
      for (TypeVariable<?> v : m.getTypeParameters()) {
        check(where + " type parameter", v, found);
      }
    }
    return found;
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static void check(String where, Type type, Set<String> found) {
    check(where, type, found, new ArrayList<>());
  }

  private static void check(String where, Type type, Set<String> found, List<Type> seen) {
    if (type == null || seen.contains(type)) {
      return;
    }
    seen.add(type);
    if (type instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      for (String prefix : FOREIGN) {
        if (c.getName().startsWith(prefix)) {
          found.add(where + ": " + c.getName());
        }
      }
    } else if (type instanceof ParameterizedType p) {
      check(where, p.getRawType(), found, seen);
      for (Type a : p.getActualTypeArguments()) {
        check(where, a, found, seen);
      }
    } else if (type instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        check(where, b, found, seen);
      }
      for (Type b : w.getLowerBounds()) {
        check(where, b, found, seen);
      }
    } else if (type instanceof GenericArrayType g) {
      check(where, g.getGenericComponentType(), found, seen);
    } else if (type instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        check(where, b, found, seen);
      }
    }
  }

  /** Every class of bulwark-authn's main output outside {@code internal} packages. */
  private static List<Class<?>> apiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(dev.bulwark.authn.Factor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String rel = root.relativize(f).toString().replace('\\', '/');
        if (!rel.endsWith(".class") || rel.equals("module-info.class") || rel.contains("/internal/")) {
          continue;
        }
        String name = rel.substring(0, rel.length() - ".class".length()).replace('/', '.');
        Class<?> c = Class.forName(name, false, ForeignTypesTest.class.getClassLoader());
        if (isExposed(c)) {
          out.add(c);
        }
      }
    }
    return out;
  }

  /** A class a host can name: public, and every enclosing class public or protected too. */
  private static boolean isExposed(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!visible(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return true;
  }
}

package dev.bulwark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
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

/**
 * Reads a module's compiled classes and reports every public or protected signature of an
 * exported package (any package whose name has no {@code internal} segment) that names a type
 * from one of the given package prefixes: supertypes, fields, constructor and method parameters,
 * return types, declared exceptions, type arguments and bounds. A module's test asserts the list
 * is empty, so a library type leaking into the API fails the build with the member named.
 */
public final class PublicSignatures {

  private PublicSignatures() {}

  /**
   * The offending members of every class compiled into the same directory or jar as
   * {@code anchor} whose package starts with {@code packagePrefix}.
   *
   * @param anchor any class of the module (locates the compiled classes)
   * @param packagePrefix the module's root package, e.g. {@code dev.bulwark.authz}
   * @param forbidden package prefixes, e.g. {@code com.nimbusds.}
   * @return one line per offending member, sorted; empty when the API names none of them
   */
  public static List<String> naming(Class<?> anchor, String packagePrefix, List<String> forbidden) {
    Set<String> out = new TreeSet<>();
    for (Class<?> c : exportedClasses(anchor, packagePrefix)) {
      check(c, forbidden, out);
    }
    return List.copyOf(out);
  }

  /** Public classes (top level and nested) of the exported packages under {@code packagePrefix}. */
  public static List<Class<?>> exportedClasses(Class<?> anchor, String packagePrefix) {
    Path root;
    try {
      root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the classes of " + anchor, e);
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException("expected a class directory, found " + root);
    }
    Path base = root.resolve(packagePrefix.replace('.', '/'));
    List<Class<?>> classes = new ArrayList<>();
    try (Stream<Path> files = Files.walk(base)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String name = root.relativize(p).toString().replace('\\', '/');
        name = name.substring(0, name.length() - ".class".length()).replace('/', '.');
        String pkg = name.substring(0, name.lastIndexOf('.'));
        if (List.of(pkg.split("\\.")).contains("internal") || name.equals(pkg + ".module-info")
            || name.endsWith("package-info")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, anchor.getClassLoader());
        if (isExported(c)) {
          classes.add(c);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    return classes;
  }

  private static boolean isExported(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()) {
        return false;
      }
    }
    return true;
  }

  private static void check(Class<?> c, List<String> forbidden, Set<String> out) {
    String owner = c.getName();
    visit(c.getGenericSuperclass(), forbidden, out, owner + " extends");
    for (Type t : c.getGenericInterfaces()) {
      visit(t, forbidden, out, owner + " implements");
    }
    for (Field f : c.getDeclaredFields()) {
      if (visible(f.getModifiers()) && !f.isSynthetic()) {
        visit(f.getGenericType(), forbidden, out, owner + "." + f.getName());
      }
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k.getModifiers()) && !k.isSynthetic()) {
        String where = owner + ".<init>";
        for (Type t : k.getGenericParameterTypes()) {
          visit(t, forbidden, out, where);
        }
        for (Type t : k.getGenericExceptionTypes()) {
          visit(t, forbidden, out, where + " throws");
        }
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
        String where = owner + "." + m.getName();
        visit(m.getGenericReturnType(), forbidden, out, where);
        for (Type t : m.getGenericParameterTypes()) {
          visit(t, forbidden, out, where);
        }
        for (Type t : m.getGenericExceptionTypes()) {
          visit(t, forbidden, out, where + " throws");
        }
        for (TypeVariable<Method> v : m.getTypeParameters()) {
          for (Type b : v.getBounds()) {
            visit(b, forbidden, out, where);
          }
        }
      }
    }
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static void visit(Type t, List<String> forbidden, Set<String> out, String where) {
    if (t == null) {
      return;
    }
    if (t instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      for (String prefix : forbidden) {
        if (c.getName().startsWith(prefix)) {
          out.add(where + " names " + c.getName());
        }
      }
    } else if (t instanceof ParameterizedType p) {
      visit(p.getRawType(), forbidden, out, where);
      for (Type a : p.getActualTypeArguments()) {
        visit(a, forbidden, out, where);
      }
    } else if (t instanceof GenericArrayType g) {
      visit(g.getGenericComponentType(), forbidden, out, where);
    } else if (t instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        visit(b, forbidden, out, where);
      }
      for (Type b : w.getLowerBounds()) {
        visit(b, forbidden, out, where);
      }
    }
  }
}

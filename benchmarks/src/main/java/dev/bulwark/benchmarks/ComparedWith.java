package dev.bulwark.benchmarks;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the baseline benchmarks a benchmark method is reported against, as
 * {@code "fully.qualified.Class.method"}. {@link Report} prints one ratio per baseline, pairing
 * results whose shared {@code @Param}s (such as {@code size}) have equal values.
 *
 * <p>A ratio above 1 means the benchmark is faster than its baseline (higher throughput, or lower
 * time per operation).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ComparedWith {
  String[] value();
}

/**
 * Redis adapters (Lettuce, an optional dependency): {@link dev.bulwark.authn.redis.RedisAttemptStore}
 * shares the lockout counts of a fleet of nodes.
 */
package dev.bulwark.authn.redis;

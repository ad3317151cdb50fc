/**
 * How objects become bytes and back: the tagged object format ({@code ObjectCodec}, with
 * {@code ValueCodec} for the scalars a bootstrap frame carries), the Java-serialization fallback
 * and its deserialization filters ({@code JavaSerialization}, {@code SerialFilters}), the stack
 * guard for deep graphs ({@code DeepStack}) and the message facade the connections and queues call
 * ({@code Messages}).
 *
 * <p>May use: {@code internal.runtime}, the JDK, and the public exception types. Not exported by
 * the module; not an API.
 */
package io.github.multiprocessing4j.internal.codec;

/**
 * How objects become bytes and back: the tagged format, specified in {@code Tags} with its varints
 * in {@code Varints}; the message codec ({@code ObjectCodec}: {@code Encoder}, {@code Decoder},
 * and {@code NotSendable} for what cannot be sent) and {@code ValueCodec}, the same scalars for a
 * bootstrap frame, read in the child without loading the rest; the Java-serialization fallback
 * and its deserialization filters ({@code JavaSerialization}, {@code SerialFilters}), the stack
 * guard for deep graphs ({@code DeepStack}) and the message facade the connections and queues call
 * ({@code Messages}).
 *
 * <p>May use: {@code internal.runtime}, the JDK, and the public exception types. Not exported by
 * the module; not an API.
 */
package io.github.multiprocessing4j.internal.codec;

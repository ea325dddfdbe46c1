package org.augmix4j.cli;

import org.augmix4j.train.Device;
import picocli.CommandLine.ITypeConverter;

/** {@code --device cpu|gpu|auto} for every command that has it: one parser, one message. */
final class DeviceConverter implements ITypeConverter<Device> {
    @Override
    public Device convert(String value) { return Device.parse(value); }
}

/**
 * Which devices a configuration reaches (guide 001 "Distribution Setting"; guide 000 "Applying label to a device"):
 * All Devices; No Devices ("stage this configuration for later distribution"); Custom: the device carries one of
 * the labels, or its user is in one of the groups. Evaluated at every check-in, so applying a label delivers.
 */
import type { Directory } from '../directory/directory.js';
import type { Device } from '../directory/model.js';
import type { Distribution } from './model.js';

export function isDistributedTo(distribution: Distribution, device: Device, directory: Directory): boolean {
  switch (distribution.mode) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'custom': {
      if (distribution.labels.length) {
        const labels = new Set(directory.labelsOf(device.id));
        if (distribution.labels.some((label) => labels.has(label))) return true;
      }
      if (distribution.groups.length && directory.getUser(device.userId)) {
        const groups = new Set(directory.groupsOf(device.userId));
        if (distribution.groups.some((group) => groups.has(group))) return true;
      }
      return false;
    }
  }
}

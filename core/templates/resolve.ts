/** Reading a variable's value from the directory records, per its source. Empty values count as missing. */
import type { Device, User } from '../directory/model.js';
import { formatE164 } from '../directory/identifiers.js';
import { DistinguishedName } from '../pki/names.js';
import type { VariableSource } from './model.js';

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function part(value: string | undefined, which: 'local' | 'domain' | undefined): string | undefined {
  if (value === undefined || which === undefined) return value;
  const at = value.lastIndexOf('@');
  if (at < 0) return which === 'local' ? value : undefined;
  return which === 'local' ? value.slice(0, at) : value.slice(at + 1);
}

function dnOf(user: User): DistinguishedName | undefined {
  if (user.source !== 'ldap') return undefined;
  try {
    return DistinguishedName.parse(user.ldap.dn);
  } catch {
    return undefined;
  }
}

export function resolveSource(source: VariableSource, user: User | undefined, device: Device | undefined): string | undefined {
  switch (source.from) {
    case 'user':
      return user ? nonEmpty(part(user[source.field], source.part)) : undefined;
    case 'device': {
      if (!device) return undefined;
      if (source.field === 'phone') return device.phone ? formatE164(device.phone) : undefined;
      return nonEmpty(device[source.field]);
    }
    case 'ldap': {
      if (!user || user.source !== 'ldap') return undefined;
      const { ldap } = user;
      switch (source.field) {
        case 'dn':
          return nonEmpty(ldap.dn);
        case 'cn':
          return nonEmpty(ldap.cn ?? dnOf(user)?.get('CN'));
        case 'ou':
          return nonEmpty(dnOf(user)?.get('OU'));
        case 'dc': {
          // Most specific first in RFC 4514 order: DC=corp,DC=example,DC=com -> corp.example.com
          const dcs = dnOf(user)?.getAll('DC') ?? [];
          return dcs.length > 0 ? dcs.join('.') : undefined;
        }
        case 'sAMAccountName':
          return nonEmpty(ldap.sAMAccountName);
        case 'realm':
          return nonEmpty(ldap.realm);
      }
      return undefined;
    }
    case 'ldap-attribute':
      return user && user.source === 'ldap' ? nonEmpty(user.ldap.attributes?.[source.attribute]) : undefined;
  }
}

/** A custom attribute by name: the user's, then the device's (MobileIron and MaaS360 custom attributes). */
export function resolveCustomAttribute(name: string, user: User | undefined, device: Device | undefined): string | undefined {
  const own = (map: Readonly<Record<string, string>> | undefined) => (map && Object.hasOwn(map, name) ? map[name] : undefined);
  return nonEmpty(own(user?.customAttributes)) ?? nonEmpty(own(device?.customAttributes));
}

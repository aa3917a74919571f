import { packageConfig } from '../../tsup.base'

export default [
  packageConfig({ platform: 'node', shims: true }),
  packageConfig({ entry: { dialogpt: 'src/bin/dialogpt.ts' }, format: ['esm'], dts: false, platform: 'node', clean: false, shims: true }),
]

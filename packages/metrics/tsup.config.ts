import { packageConfig } from '../../tsup.base'

export default [
  packageConfig({ entry: { index: 'src/index.ts', node: 'src/node/index.ts' }, platform: 'neutral' }),
  packageConfig({ entry: { 'dialogpt-eval': 'src/bin/dialogpt-eval.ts' }, format: ['esm'], dts: false, platform: 'node', clean: false }),
]

import { packageConfig } from '../../tsup.base'

export default packageConfig({ entry: { index: 'src/index.ts', node: 'src/node.ts', 'wasm-kernels': 'src/kernels/wasm/index.ts' } })

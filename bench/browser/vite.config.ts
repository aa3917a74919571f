import { defineConfig, mergeConfig } from 'vite'
import webChat from '../../examples/web-chat/vite.config'

// The same build settings as the web chat demo (workspace sources, node: imports left out), for this page.
export default mergeConfig(webChat, defineConfig({ root: __dirname }))

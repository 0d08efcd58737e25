/**
 * @module embed
 * `embed.js`: Shulin's page interface for a library's own site, loaded with one tag from any
 * node — `<script type="module" src="https://NODE/embed.js"></script>` — then
 *
 * - `<shulin-course course="ID">` a course with its lectures and player (no `course`: the
 *   node's courses);
 * - `<shulin-player lecture="ID" start="75">` one lecture's player;
 * - `<shulin-search type="course,lecture">` a search box whose transcript hits open at their second.
 *
 * Each takes `node` (another node's origin; by default the one this script came from) and
 * `lang` (`zh-CN`, `en`; by default the page's). They read the node's public API through
 * `@shulin/client` (CORS, no credentials) and render in shadow DOM. The player is the portal's
 * own element; hls.js comes in a chunk of its own when a stream first plays.
 */
import '../components/course-player.js'
import { ShulinCourse } from './course.js'
import { ShulinSearch } from './search.js'
import { watchPlayers } from './player.js'

// A page may load the script twice (two widgets pasted in): define once.
if (!customElements.get('shulin-course')) customElements.define('shulin-course', ShulinCourse)
if (!customElements.get('shulin-search')) customElements.define('shulin-search', ShulinSearch)
watchPlayers()

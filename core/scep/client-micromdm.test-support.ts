/** The micromdm scepserver launcher for tests: one implementation, in fixtures/ (the benchmark uses it too). */
export { micromdmUnavailable, startMicromdm, type MicromdmServer } from '../../fixtures/micromdm-scepserver.js';
